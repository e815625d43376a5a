# shellcheck shell=bash
# Sourced by the scripts here: start_moto starts moto_server on a free
# 127.0.0.1 port, points the AWS SDK and CLI at it with dummy credentials,
# and stops it when the calling script exits.

start_moto() {
	if ! command -v moto_server >/dev/null; then
		echo "moto_server is not installed (pip install 'moto[server]>=5')" >&2
		exit 1
	fi
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	moto_server -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/keep-moto-$port.log" 2>&1 &
	MOTO_PID=$!
	trap 'kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null' EXIT
	local up=
	for _ in $(seq 400); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			up=1
			break
		fi
		sleep 0.05
	done
	if [ -z "$up" ]; then
		echo "moto_server did not start on port $port; its log:" >&2
		cat "${TMPDIR:-/tmp}/keep-moto-$port.log" >&2
		exit 1
	fi
	export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
	export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	export AWS_EC2_METADATA_DISABLED=true
	unset AWS_PROFILE
}

# put_secret NAME VALUE NAMESPACE ENV: create a secret tagged the way Keep
# tags it.
put_secret() {
	aws secretsmanager create-secret --name "$1" --secret-string "$2" \
		--tags "Key=ManagedBy,Value=Keep" "Key=Namespace,Value=$3" \
		"Key=Environment,Value=$4" "Key=VaultSlug,Value=secretsmanager" >/dev/null
}
