from setuptools import find_packages, setup

DATA_PACKAGES = {"sim.scenarios": "scenarios", "sim.scenarios.sweeps": "scenarios/sweeps",
                 "sim.scenarios.optimise": "scenarios/optimise"}
setup(packages=find_packages(include=["sim*", "calibration*"]) + list(DATA_PACKAGES), package_dir=DATA_PACKAGES)
