"""The pinned Python environments for shap, made on first use.

* the default one, `.cache/shap-venv` from scripts/shap/requirements.txt (scikit-learn 1.2.1):
  the fixtures of gen-shap-fixtures.py and the shap baseline of `npm run bench:explain`;
* "missing", `.cache/shap-missing-venv` from scripts/shap/requirements-missing.txt
  (scikit-learn 1.6.1, whose IsolationForest accepts missing values): gen-shap-missing-fixtures.py.

`ensure(name)` creates the environment with Debian's /usr/bin/python3 (python3-venv) and installs
the pinned list with `pip install --no-deps`, retrying network failures, then re-executes the
calling script inside it. A stamp file holds the requirements' sha256, so editing the list
rebuilds the environment. Nothing here is used by the service or by `npm test`.

    python3 scripts/shap/shap_env.py [missing]   # installs, prints the environment's python
"""
import hashlib
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ENVIRONMENTS = {
    "default": ("requirements.txt", "shap-venv"),
    "missing": ("requirements-missing.txt", "shap-missing-venv"),
}


def paths(name="default"):
    """(requirements file, venv folder, its python, its stamp file) of environment `name`."""
    requirements, folder = ENVIRONMENTS[name]
    venv = os.path.join(ROOT, ".cache", folder)
    return (os.path.join(HERE, requirements), venv, os.path.join(venv, "bin", "python"),
            os.path.join(venv, "requirements.sha256"))


REQUIREMENTS, VENV, PYTHON, STAMP = paths()


def _digest(requirements):
    with open(requirements, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ready(name="default"):
    """True when the environment exists and matches the requirements."""
    requirements, _, python, stamp = paths(name)
    try:
        with open(stamp) as f:
            return f.read().strip() == _digest(requirements) and os.path.exists(python)
    except OSError:
        return False


def install(name="default"):
    """Creates or refreshes the environment (3 attempts for network failures)."""
    if ready(name):
        return
    requirements, venv, python, stamp = paths(name)
    base = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    subprocess.run([base, "-m", "venv", "--clear", venv], check=True)
    for attempt in range(1, 4):
        r = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
             "-r", requirements])
        if r.returncode == 0:
            break
        if attempt == 3:
            sys.exit(f"pip could not install {os.path.relpath(requirements, ROOT)}")
        print(f"pip failed (attempt {attempt}); retrying", file=sys.stderr)
        time.sleep(10)
    with open(stamp, "w") as f:
        f.write(_digest(requirements))


def ensure(name="default"):
    """Installs the environment if needed and re-runs this process inside it."""
    _, venv, python, _ = paths(name)
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    install(name)
    os.execv(python, [python] + sys.argv)


if __name__ == "__main__":
    env = sys.argv[1] if len(sys.argv) > 1 else "default"
    install(env)
    print(paths(env)[2])
