#!/usr/bin/env bash
# Schemathesis stage: fuzz the running app (gunicorn) with its own generated OpenAPI 3
# document and fail on any server error or any response that breaks the document.
#
# Two passes, one per database, each on a fresh database: SQLite (a file under a temp dir) and
# PostgreSQL (a scratch database created here and dropped on exit), because input that one
# database stores the other may refuse (a NUL byte, a year-1 date).
#
# Needs .venv (make install-dev). Touches nothing in the repository: the app runs on a
# throw-away instance folder under a temp dir, removed on exit.
#
# Knobs (environment):
#   SCHEMATHESIS_DATABASES      passes to run, in order           (default "sqlite postgres")
#   SCHEMATHESIS_PG_SERVER      PostgreSQL server, no database    (default postgresql://postgres@127.0.0.1:5432)
#   SCHEMATHESIS_PG_DATABASE    scratch database, made and dropped (default fieldapp_schemathesis)
#   SCHEMATHESIS_PORT           port for gunicorn                 (default 5099)
#   SCHEMATHESIS_MAX_EXAMPLES   examples per operation and phase  (default 50)
#   SCHEMATHESIS_WORKERS        concurrent schemathesis workers   (default 2)
#   SCHEMATHESIS_SEED           fixed seed to reproduce a run     (default: random, printed)
#   SCHEMATHESIS_REPORT_DIR     if set, JUnit reports and the gunicorn/app log are kept there
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
PORT=${SCHEMATHESIS_PORT:-5099}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-50}
WORKERS=${SCHEMATHESIS_WORKERS:-2}
BASE=http://127.0.0.1:$PORT
DATABASES=${SCHEMATHESIS_DATABASES:-sqlite postgres}
PG_SERVER=${SCHEMATHESIS_PG_SERVER:-postgresql://postgres@127.0.0.1:5432}
PG_DATABASE=${SCHEMATHESIS_PG_DATABASE:-fieldapp_schemathesis}
[[ $PG_DATABASE =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "bad SCHEMATHESIS_PG_DATABASE" >&2; exit 2; }

say() { printf '\n== [schemathesis] %s\n' "$*"; }
die() { printf '== [schemathesis] FAILED: %s\n' "$*" >&2; exit 1; }

[[ -x $BIN/schemathesis && -x $BIN/gunicorn && -x $BIN/flask ]] \
  || die "$BIN lacks schemathesis/gunicorn/flask; run 'make install-dev' first"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fieldapp-schemathesis.XXXXXX")
gunicorn_pid=
pg_made=
log=$tmp/gunicorn.log
stop_gunicorn() {
  if [[ -n $gunicorn_pid ]] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill "$gunicorn_pid" 2>/dev/null || true
    # gunicorn's arbiter stops its workers on SIGTERM; give it a bounded moment.
    for _ in $(seq 1 50); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$gunicorn_pid" 2>/dev/null || true
  fi
  gunicorn_pid=
}
pg_admin() {  # pg_admin SQL: run one statement on the server's postgres database
  psql "$PG_SERVER/postgres" -v ON_ERROR_STOP=1 -X -q -c "$1"
}
cleanup() {
  local rc=$?
  stop_gunicorn
  if [[ -n $pg_made ]]; then pg_admin "DROP DATABASE IF EXISTS $PG_DATABASE WITH (FORCE)" || true; fi
  if [[ -n ${SCHEMATHESIS_REPORT_DIR:-} ]] && compgen -G "$tmp/gunicorn-*.log" >/dev/null; then
    mkdir -p "$SCHEMATHESIS_REPORT_DIR" && cp "$tmp"/gunicorn-*.log "$SCHEMATHESIS_REPORT_DIR/" || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP  # so that the EXIT trap stops gunicorn on these too

# The app under test: its own instance folder (generated dev secrets) and a fresh database per
# pass, so this stage is independent of the PostgreSQL test database and of any local instance/.
# Rate limits stay ON: 429 is a documented answer and part of what is being checked. Without
# FIELDAPP_REDIS_URL the limiter counts in memory, per gunicorn worker.
unset FIELDAPP_REDIS_URL FIELDAPP_ENV FIELDAPP_DEBUG FIELDAPP_RATELIMIT_ENABLED FIELDAPP_PUBLIC_URL || true
# Long enough that no token expires while the stage runs (the default is 15 minutes).
export FIELDAPP_ACCESS_TOKEN_MINUTES=60
# The links the app hands out name the address schemathesis calls.
export FIELDAPP_PUBLIC_URL=$BASE

prepare_database() {  # prepare_database sqlite|postgres: a fresh, migrated database with accounts
  export FIELDAPP_INSTANCE_PATH=$tmp/instance-$1
  case $1 in
    sqlite) export FIELDAPP_DATABASE_URL=sqlite:///$tmp/fieldapp.db ;;
    postgres)
      command -v psql >/dev/null || die "psql is needed for the PostgreSQL pass"
      pg_admin "DROP DATABASE IF EXISTS $PG_DATABASE WITH (FORCE)"
      pg_admin "CREATE DATABASE $PG_DATABASE"
      pg_made=1
      export FIELDAPP_DATABASE_URL=$PG_SERVER/$PG_DATABASE ;;
    *) die "unknown database '$1' in SCHEMATHESIS_DATABASES" ;;
  esac
  say "[$1] migrating a fresh database"
  "$BIN/flask" --app wsgi db upgrade
  "$BIN/flask" --app wsgi templates import
  # Two admins: st.admin for every run but the last, st.admin2 for the last one, which signs
  # users out everywhere (see the run plan below).
  say "[$1] creating the admin accounts st.admin and st.admin2 and the supervisor st.super (random passwords)"
  PW=$("$BIN/python" -c 'import secrets; print("St-" + secrets.token_urlsafe(24))')
  for admin in st.admin st.admin2; do
    printf '%s\n' "$PW" | "$BIN/flask" --app wsgi users create \
      --username "$admin" --role admin --team "Schemathesis" --password-stdin
  done
  printf '%s\n' "$PW" | "$BIN/flask" --app wsgi users create \
    --username st.super --role supervisor --team "Schemathesis" --password-stdin
}

gunicorn_tail() {  # the log without the per-request INFO lines: warnings, errors, tracebacks
  printf '\n== [schemathesis] gunicorn/app log, last 150 lines other than request lines:\n' >&2
  grep -v '"level": "INFO"' "$log" | tail -n 150 >&2 || true
  printf '== [schemathesis] (end of log)\n' >&2
}

start_gunicorn() {  # start_gunicorn NAME: serve the app on $BASE, logging to $tmp/gunicorn-NAME.log
  if curl -s -o /dev/null --max-time 2 "$BASE/health"; then
    die "something already answers on $BASE; set SCHEMATHESIS_PORT to a free port"
  fi
  log=$tmp/gunicorn-$1.log
  say "[$1] starting gunicorn on $BASE (log: $log)"
  # No gunicorn access log: the app writes its own JSON line per request to the same file.
  "$BIN/gunicorn" --workers 2 --bind "127.0.0.1:$PORT" --timeout 60 --no-control-socket \
    --error-logfile - wsgi:app >"$log" 2>&1 &
  gunicorn_pid=$!
  for _ in $(seq 1 60); do
    curl -sf --max-time 2 "$BASE/health" >/dev/null && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { gunicorn_tail; die "gunicorn exited early"; }
    sleep 0.5
  done
  curl -sf --max-time 2 "$BASE/health" >/dev/null || { gunicorn_tail; die "no answer from $BASE/health in 30s"; }
  echo "gunicorn is up (pid $gunicorn_pid)"
}

# Sign in for every run up front, BEFORE any fuzzing: the fuzzer hammers POST /auth/login and
# soon gets 429 (per client, for the rest of the minute), which would lock us out as well.
login() {  # login USERNAME DEVICE -> $tmp/login-DEVICE.json
  local body
  body=$("$BIN/python" -c 'import json, sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2], "device_name": sys.argv[3]}))' "$1" "$PW" "$2")
  curl -sS --fail-with-body --max-time 30 -H 'Content-Type: application/json' \
    -d "$body" "$BASE/api/v1/auth/login" >"$tmp/login-$2.json" \
    || { cat "$tmp/login-$2.json" >&2; gunicorn_tail; die "could not sign in as $1"; }
}
token() {  # token DEVICE access_token|refresh_token
  "$BIN/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$tmp/login-$1.json" "$2"
}

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

# The run plan. Some operations end sessions, after which their token is refused (401; that
# is documented as the `default` problem response, so it passes, but every operation fuzzed
# after it would only exercise the 401 path). So the main run leaves them out, and each is
# fuzzed afterwards in a run of its own with its own device session, in an order where
# ending sessions cannot spoil a run still to come:
#   main           everything else, with an access token of st.admin
#   refresh        POST /auth/refresh, which takes the REFRESH token (an access token is a
#                  401); the first call rotates it, later ones reuse a spent token (401) and
#                  end that one session
#   logout         POST /auth/logout: the first call ends its own session
#   templates      the template routes again, as the supervisor st.super (who may write them)
#   my-sessions    DELETE /me/sessions/{id}, with GET /me/sessions so that real session ids
#                  are tried; may end any session of st.admin, so after all st.admin runs
#   user-sessions  DELETE /users/{id}/sessions, with GET /users for real ids; signs users out
#                  everywhere, so last, and as st.admin2
# PATCH /users/{id} can also sign st.admin out everywhere (a role, team, password or status
# change) if the fuzzer picks its id and a matching If-Match. It stays in the main run, as
# that would be rare and still checked; later runs say so if their token was ended early.
SESSION_ENDERS=(--exclude-path /api/v1/auth/refresh --exclude-path /api/v1/auth/logout
  --exclude-path '/api/v1/me/sessions/{session_id}' --exclude-path '/api/v1/users/{user_id}/sessions')

# Schemathesis keeps crash files for `st replay` under ./.schemathesis by default; keep them
# out of the work tree (in the report dir if there is one, else in the temp dir).
cache_dir=$tmp/schemathesis-cache
if [[ -n ${SCHEMATHESIS_REPORT_DIR:-} ]]; then
  mkdir -p "$SCHEMATHESIS_REPORT_DIR"
  cache_dir=$(cd "$SCHEMATHESIS_REPORT_DIR" && pwd)/schemathesis-cache
fi
printf '[cache]\ndirectory = "%s"\n' "$cache_dir" >"$tmp/schemathesis.toml"
# Likewise Hypothesis (under schemathesis) would create ./.hypothesis.
export HYPOTHESIS_STORAGE_DIRECTORY=$tmp/hypothesis

failed_runs=()
run_schemathesis() {  # NAME TOKEN FILTER...
  local name=$1 tok=$2
  shift 2
  local args=(--config-file "$tmp/schemathesis.toml" run "$BASE/openapi.json"
    --header "Authorization: Bearer $tok"
    --checks "$CHECKS"
    --max-examples "$MAX_EXAMPLES"
    --workers "$WORKERS"
    --request-timeout 30
    --generation-database none
    --suppress-health-check too_slow
    --no-color)
  [[ -n ${SCHEMATHESIS_SEED:-} ]] && args+=(--seed "$SCHEMATHESIS_SEED")
  if [[ -n ${SCHEMATHESIS_REPORT_DIR:-} ]]; then
    mkdir -p "$SCHEMATHESIS_REPORT_DIR"
    args+=(--report junit --report-junit-path "$SCHEMATHESIS_REPORT_DIR/schemathesis-${name//\//-}.xml")
  fi
  say "run '$name': schemathesis ${args[*]/$tok/<token>} $*"
  if [[ $name != */refresh ]]; then  # (a refresh token is not accepted by GET /me)
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
      -H "Authorization: Bearer $tok" "$BASE/api/v1/me" || true)
    [[ $status == 200 ]] || echo "== [schemathesis] note: GET /api/v1/me with this run's token" \
      "answers $status, not 200 (an earlier run ended the session): expect mostly 401s"
  fi
  local started=$SECONDS rc=0 attempt out=$tmp/run-${name//\//-}.log
  for attempt in 1 2; do
    rc=0
    # Bounded even if something hangs; a normal run takes well under a minute.
    timeout --kill-after=30 600 "$BIN/python" .ci/schemathesis_cli.py "${args[@]}" "$@" 2>&1 \
      | tee "$out" \
      || rc=${PIPESTATUS[0]}
    # CPython 3.11's ast.parse can raise "SystemError: AST constructor recursion depth
    # mismatch" when Hypothesis describes a lambda deep in a stack (an interpreter bug, not
    # an app failure; .ci/schemathesis_cli.py avoids the known case). If it still happens,
    # with no check failing, the run gets one retry with a new seed.
    if ((rc != 0)) && grep -q 'AST constructor recursion depth mismatch' "$out" \
      && ! grep -q '^Failures:' "$out" && ((attempt == 1)); then
      echo "== [schemathesis] run '$name' hit the CPython ast.parse bug inside Hypothesis;" \
        "retrying once"
      continue
    fi
    break
  done
  if ((rc == 0)); then
    echo "== [schemathesis] run '$name' passed in $((SECONDS - started))s"
  else
    echo "== [schemathesis] run '$name' FAILED (exit $rc) after $((SECONDS - started))s" >&2
    failed_runs+=("$name")
  fi
}

fuzz_pass() {  # fuzz_pass sqlite|postgres: every run of the plan against a fresh database
  local db=$1
  prepare_database "$db"
  start_gunicorn "$db"
  say "[$db] signing in: one device session per schemathesis run"
  for device in st-main st-refresh st-logout st-my-sessions; do login st.admin "$device"; done
  login st.admin2 st-user-sessions
  login st.super st-templates
  local templates main refresh logout my_sessions user_sessions
  templates=$(token st-templates access_token)
  main=$(token st-main access_token)
  refresh=$(token st-refresh refresh_token)
  logout=$(token st-logout access_token)
  my_sessions=$(token st-my-sessions access_token)
  user_sessions=$(token st-user-sessions access_token)
  local failed_before=${#failed_runs[@]}

  run_schemathesis "$db/main" "$main" "${SESSION_ENDERS[@]}"
  run_schemathesis "$db/refresh" "$refresh" --include-path /api/v1/auth/refresh
  run_schemathesis "$db/logout" "$logout" --include-path /api/v1/auth/logout
  # Templates are written by supervisors only: fuzz them again as one (the main run is an admin).
  run_schemathesis "$db/templates" "$templates" --include-path-regex '^/api/v1/template'
  run_schemathesis "$db/my-sessions" "$my_sessions" \
    --include-path /api/v1/me/sessions --include-path '/api/v1/me/sessions/{session_id}'
  run_schemathesis "$db/user-sessions" "$user_sessions" \
    --include-path /api/v1/users --include-path '/api/v1/users/{user_id}/sessions'

  kill -0 "$gunicorn_pid" 2>/dev/null || { gunicorn_tail; die "gunicorn died during the $db runs"; }
  ((${#failed_runs[@]} == failed_before)) || gunicorn_tail
  stop_gunicorn
}

stage_started=$SECONDS
for db in $DATABASES; do
  fuzz_pass "$db"
done
if ((${#failed_runs[@]})); then
  die "schemathesis found problems in run(s): ${failed_runs[*]} (see each run's FAILURES above)"
fi
say "passed in $((SECONDS - stage_started))s on $DATABASES: no server errors, every response matches the document"
