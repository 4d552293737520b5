# Tollgate's bootstrap for python3.x functions: a Lambda Runtime API client (AWS docs
# "runtimes-custom"). It imports the handler once, then loops: next invocation, call, post the
# result or the error in the Python runtime's shape {errorMessage, errorType, requestId, stackTrace}.
import http.client
import importlib
import json
import os
import sys
import time
import traceback

RUNTIME_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"
sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))

connection = None


def call(method, path, body=None, headers=None):
    """One request to the Runtime API on one kept-alive connection, as AWS's runtime client keeps
    (a new connection per call, as urllib made, was two connections per invocation and ~40% of
    the throughput). A connection found closed before any answer is opened again, once."""
    global connection
    for attempt in (1, 2):
        if connection is None:
            connection = http.client.HTTPConnection(RUNTIME_API)
        try:
            connection.request(method, PREFIX + path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, ConnectionError):
            connection.close()
            connection = None
            if attempt == 2:
                raise
            continue
        if response.status >= 400:
            raise RuntimeError("Runtime API answered %d to %s %s" % (response.status, method, path))
        return response, data


def post(path, payload, headers=None):
    body = json.dumps(payload).encode("utf-8")
    call("POST", path, body, {"Content-Type": "application/json", **(headers or {})})


class Context:
    def __init__(self, request_id, deadline_ms, arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def error_shape(error, request_id=None):
    shape = {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }
    if request_id is not None:
        shape["requestId"] = request_id
    return shape


try:
    module_name, function_name = os.environ["_HANDLER"].rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name.replace("/", ".")), function_name)
except Exception as error:  # noqa: BLE001 - any import failure is an init error
    shape = error_shape(error)
    shape["errorType"] = "Runtime.ImportModuleError"
    post("/init/error", shape)
    sys.exit(1)

TRACE_ID = os.environ.encodekey("_X_AMZN_TRACE_ID")


def set_trace_id(value):
    # As Lambda's Python runtime does, each invocation's X-Ray header goes to _X_AMZN_TRACE_ID.
    # Only into os.environ's own mapping: os.environ[...] = value would putenv(3) a new value per
    # invocation, and glibc never frees a value it replaced (the Node runner has the same note).
    if value:
        os.environ._data[TRACE_ID] = os.environ.encodevalue(value)
    else:
        os.environ._data.pop(TRACE_ID, None)


while True:
    response, body = call("GET", "/invocation/next")
    request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
    deadline = int(response.headers["Lambda-Runtime-Deadline-Ms"])
    arn = response.headers["Lambda-Runtime-Invoked-Function-Arn"]
    set_trace_id(response.headers.get("Lambda-Runtime-Trace-Id"))
    event = json.loads(body or b"null")
    try:
        result = handler(event, Context(request_id, deadline, arn))
        post("/invocation/" + request_id + "/response", result)
    except Exception as error:  # noqa: BLE001 - every handler error goes back to Lambda
        post(
            "/invocation/" + request_id + "/error",
            error_shape(error, request_id),
            {"Lambda-Runtime-Function-Error-Type": "Unhandled"},
        )
