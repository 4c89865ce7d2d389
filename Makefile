# Thin targets over scripts/dev.py, which prepares .venv and runs each task.
PYTHON ?= python3

.PHONY: up down status reset test bench stress redrive reprocess provision teardown

up:
	$(PYTHON) scripts/dev.py up

down:
	$(PYTHON) scripts/dev.py down

status:
	$(PYTHON) scripts/dev.py status

reset:
	$(PYTHON) scripts/dev.py reset

test:
	$(PYTHON) scripts/dev.py test

bench:
	$(PYTHON) scripts/dev.py bench

stress:
	$(PYTHON) scripts/dev.py stress

redrive:
	$(PYTHON) scripts/dev.py redrive

reprocess:
	$(PYTHON) scripts/dev.py reprocess

provision:
	.venv/bin/python bootstrap/provision.py

teardown:
	.venv/bin/python bootstrap/teardown.py
