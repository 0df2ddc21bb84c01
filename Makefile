# meteoflow: the two set-up commands are `make run` and `make test` (see README.md).
# Every target installs what it needs; installs are idempotent and non-interactive.

BUILD_DIR ?= build
APT_PACKAGES := cmake ninja-build g++ pkg-config libgtest-dev libyaml-cpp-dev libsimdjson-dev \
  nlohmann-json3-dev libcli11-dev libcpp-httplib-dev libsnappy-dev libzstd-dev libsqlite3-dev \
  sqlite3 chromium clang-format clang-tidy clang-14 libclang-rt-14-dev libcurl4-openssl-dev librdkafka-dev kcat \
  zlib1g-dev liblz4-dev libxgboost-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps deps-apt deps-python deps-web build build-native build-web run test test-sanitize fuzz lint bench-kafka bench-parquet bench-transform bench-forecast bench-scheduler bench-cassandra clean format

deps: deps-apt deps-python deps-web

# apt: only when something is missing, so a ready machine needs no network.
deps-apt:
	@for tool in python3 node npm; do command -v $$tool >/dev/null || { echo "meteoflow: $$tool is required (the machine image provides it)"; exit 1; }; done
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# Python test tools in the project venv (pip's cache keeps re-installs offline-fast).
deps-python: .venv/.installed
.venv/.installed: requirements-dev.txt
	python3 -m venv .venv
	.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Front-end packages pinned by web/package-lock.json (npm's cache keeps re-installs fast).
deps-web: web/node_modules/.installed
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm install --no-audit --no-fund
	touch $@

build: build-native build-web

build-native: deps-apt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR)

build-web: deps-web
	cd web && npm run build

# Runs the pipeline on the bundled recording, ticking every 10 minutes, and serves the
# dashboard on http://127.0.0.1:8080/ (Ctrl-C stops it).
run: deps build
	$(BUILD_DIR)/meteoflow run --config config/meteoflow.yaml

test: deps build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600

# The unit tests (real peers included) under AddressSanitizer + UndefinedBehaviorSanitizer, then
# the concurrent parts under ThreadSanitizer, each in a build folder of its own.
# (librdkafka is not instrumented and its threads crash under TSan, so the Kafka log runs under
# ASan only.)
TSAN_TARGETS := orchestrate_scheduler_test store_cql_connection_test lake_parquet_test serve_test
TSAN_TESTS := (SchedulerTest|CqlConnection|ParquetTest|BitUnpackTest|ChangeFeedTest)
test-sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMF_SANITIZE=address,undefined
	cmake --build build-asan --target mf_unit_tests
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest -L unit --output-on-failure --timeout 900
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMF_SANITIZE=thread
	cmake --build build-tsan --target $(TSAN_TARGETS)
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest -R '$(TSAN_TESTS)' --output-on-failure --timeout 900

# Every libFuzzer target for FUZZ_SECONDS each from its seed corpus (fuzz/README.md).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := transform_parse_fuzz live_response_fuzz recording_fuzz cron_fuzz config_fuzz params_fuzz \
  parquet_reader_fuzz cql_protocol_fuzz local_log_fuzz
fuzz: deps-apt
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMF_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14
	cmake --build build-fuzz --target $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t; \
	  build-fuzz/src/$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build-fuzz/ \
	    build-fuzz/corpus/$$t fuzz/corpus/$$t > build-fuzz/$$t.log 2>&1 || { tail -30 build-fuzz/$$t.log; exit 1; }; \
	  echo "$$t: $$(grep -o 'stat::number_of_executed_units: [0-9]*' build-fuzz/$$t.log | grep -o '[0-9]*$$') runs in $(FUZZ_SECONDS) s"; \
	done

# Static checks at zero warnings: clang-tidy (.clang-tidy) over every C++ file, clang-format,
# and the dashboard's TypeScript under tsconfig's strict options. clang-tidy reads the build's
# compile commands, less the GCC-only flag clang does not know.
lint: build-native deps-web
	@mkdir -p $(BUILD_DIR)/lint
	sed 's/-fvect-cost-model=dynamic//g' $(BUILD_DIR)/compile_commands.json > $(BUILD_DIR)/lint/compile_commands.json
	@echo "clang-tidy over src/ (log: $(BUILD_DIR)/lint/clang-tidy.log)"
	@run-clang-tidy -p $(BUILD_DIR)/lint -quiet -j $$(nproc) '$(CURDIR)/src/.*\.cc$$' > $(BUILD_DIR)/lint/clang-tidy.log 2>&1 \
	  || { grep -E -A3 'error:|warning: [^0-9]' $(BUILD_DIR)/lint/clang-tidy.log | head -200; exit 1; }
	clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h')
	cd web && npx tsc --noEmit
	@echo "lint: clean"

# Publish throughput on a local broker: meteoflow's KafkaLog vs kafka-python vs kcat -P.
bench-kafka: deps build
	.venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
	tools/kafka status >/dev/null || tools/kafka start
	.venv/bin/python bench/kafka_publish.py --bootstrap 127.0.0.1:$${MF_KAFKA_PORT:-9092}

# Write and read 10 million weather-like rows: our Parquet library vs pyarrow.
bench-parquet: deps build
	.venv/bin/python bench/parquet_bench.py

# The transform at scale against DuckDB on a synthetic-from-real recording, and one tick's cost
# after that much history (bench/transform_bench.py; LOCATIONS, DAYS).
LOCATIONS ?= 200
DAYS ?= 7
bench-transform: deps build
	.venv/bin/python bench/transform_bench.py --locations $(LOCATIONS) --days $(DAYS)

# Upsert a million weather rows into a local node: our CQL client vs the Python cassandra-driver.
bench-cassandra: deps build
	tools/cassandra status >/dev/null || tools/cassandra start
	.venv/bin/python bench/cassandra_bench.py --contact 127.0.0.1:$${MF_CASSANDRA_PORT:-9042}

# A chain of 1,000 no-op tasks: meteoflow's scheduler vs Airflow's `dags test`.
bench-scheduler: deps build
	.venv/bin/python bench/scheduler_bench.py

# Fit ARIMA and SARIMA to every seed series: meteoflow vs statsmodels.
bench-forecast: deps build
	.venv/bin/python bench/forecast_bench.py

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-fuzz web/dist
