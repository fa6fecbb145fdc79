"""The one piece of build configuration pyproject.toml cannot say: `codemods/` is installed as `fixbot.codemods`."""

from setuptools import find_packages, setup

CODEMODS = ["fixbot." + name for name in find_packages(include=["codemods", "codemods.*"])]

setup(
    packages=find_packages(include=["fixbot", "fixbot.*"]) + CODEMODS,
    package_dir={"fixbot.codemods": "codemods"},
)
