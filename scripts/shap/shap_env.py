"""The pinned Python environment for shap (scripts/shap/requirements.txt), made on first use.

`ensure()` creates `.cache/shap-venv` with Debian's /usr/bin/python3 (python3-venv) and installs
the pinned list with `pip install --no-deps`, retrying network failures, then re-executes the
calling script inside it. A stamp file holds the requirements' sha256, so editing the list
rebuilds the environment. Nothing here is used by the service or by `npm test`.
"""
import hashlib
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, ".cache", "shap-venv")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
PYTHON = os.path.join(VENV, "bin", "python")
STAMP = os.path.join(VENV, "requirements.sha256")


def _digest():
    with open(REQUIREMENTS, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ready():
    """True when the environment exists and matches the requirements."""
    try:
        with open(STAMP) as f:
            return f.read().strip() == _digest() and os.path.exists(PYTHON)
    except OSError:
        return False


def install():
    """Creates or refreshes the environment (3 attempts for network failures)."""
    if ready():
        return
    base = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    subprocess.run([base, "-m", "venv", "--clear", VENV], check=True)
    for attempt in range(1, 4):
        r = subprocess.run(
            [PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
             "-r", REQUIREMENTS])
        if r.returncode == 0:
            break
        if attempt == 3:
            sys.exit("pip could not install scripts/shap/requirements.txt")
        print(f"pip failed (attempt {attempt}); retrying", file=sys.stderr)
        time.sleep(10)
    with open(STAMP, "w") as f:
        f.write(_digest())


def ensure():
    """Installs the environment if needed and re-runs this process inside it."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    install()
    os.execv(PYTHON, [PYTHON] + sys.argv)


if __name__ == "__main__":
    install()
    print(PYTHON)
