# Guanhuai — the two set-up commands are `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test test-pg e2e lint bench-import clean-demo

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "需要 Python ≥ 3.11 (Python 3.11+ required)"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "无法创建虚拟环境 .venv:请先安装 venv 模块(Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate SQLite (WAL), load the demo dataset, print logins, serve on :8000 with the huey consumer
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(MAKE) --no-print-directory serve

## make serve: the web server plus the huey consumer (background jobs such as imports); Ctrl-C stops both
serve: install
	@echo "关怀系统已启动: http://$(HOST):$(PORT)/  (Ctrl-C 停止)"
	@$(BIN)/python manage.py run_huey --quiet & HUEY_PID=$$!; \
	trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make clean-demo: delete the local SQLite databases (the next `make demo` rebuilds them)
clean-demo:
	rm -f var/guanhuai.sqlite3 var/guanhuai.sqlite3-wal var/guanhuai.sqlite3-shm var/huey.sqlite3 var/huey.sqlite3-wal var/huey.sqlite3-shm

## make test: the whole suite on SQLite (in memory)
test: install
	env -u DATABASE_URL $(BIN)/python -m pytest

## make test-pg: the whole suite against DATABASE_URL (a PostgreSQL server; a test_ database is created and dropped)
test-pg: install
	@test -n "$$DATABASE_URL" || (echo "请设置 DATABASE_URL,例如 postgres://postgres@127.0.0.1:5432/guanhuai" && exit 2)
	$(BIN)/python -m pytest --create-db

## make e2e: browser tests in headless Chromium (Debian's chromium package)
e2e: install
	env -u DATABASE_URL $(BIN)/python -m pytest -p no:randomly e2e -m e2e

lint: install
	$(BIN)/ruff check .

bench-import: install
	$(BIN)/python bench/bench_import.py
