# keep — see README.md.

.PHONY: build demo test

build:
	go build -o keep .

demo:
	./scripts/demo

test:
	./scripts/test
