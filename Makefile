# keep — see README.md.

.PHONY: build demo test bench release

build:
	go build -o keep .

demo:
	./scripts/demo

test:
	./scripts/test

# Static, stripped, version-stamped binaries for every platform in dist/,
# with dist/SHA256SUMS (scripts/release).
release:
	./scripts/release

# Rewrites docs/benchmarks.md and docs/benchmarks.svg (about 2 minutes),
# then times keep against moto (scripts/time-run: hyperfine, GNU time).
bench:
	go test ./bench -run TestReport -report -v -timeout 20m
	./scripts/time-run
