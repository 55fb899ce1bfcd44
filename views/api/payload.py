"""Reading a request: its JSON body and its query arguments, checked against the very schemas the
OpenAPI description publishes (views/api/schemas.py), so the two cannot drift apart."""
import re

from flask import request
from flask_babel import lazy_gettext as _l
from jsonschema import Draft4Validator

from views.api.errors import ApiError


REQUIRED = re.compile(r"^'(.+)' is a required property$")
INTEGER = re.compile(r"^-?[0-9]{1,11}$")


def _field(error):
    """The field an error is about: its path in the body, or the missing property itself."""
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        found = REQUIRED.match(error.message)
        name = found.group(1) if found else ""
        return f"{path}.{name}" if path and name else (name or path or "body")
    return path or "body"


def _type_name(declared):
    names = declared if isinstance(declared, list) else [declared]
    return "或".join(str(_TYPE_NAMES.get(name, name)) for name in names)


def _message(error):
    schema = error.schema
    if error.validator == "required":
        return _l("缺少必填字段")
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))
        return _l("不支持的字段：%(fields)s", fields="、".join(extra))
    if error.validator == "type":
        return _l("类型不正确，应为%(type)s", type=_type_name(schema.get("type")))
    if error.validator == "enum":
        return _l("取值无效，可选：%(values)s", values="、".join(str(v) for v in schema["enum"] if v is not None))
    if error.validator == "maxLength":
        return _l("最多%(max)s个字符", max=schema["maxLength"])
    if error.validator == "minLength":
        return _l("不能为空") if schema["minLength"] == 1 else _l("至少%(min)s个字符", min=schema["minLength"])
    if error.validator == "minimum":
        return _l("不能小于%(min)s", min=schema["minimum"])
    if error.validator == "maximum":
        return _l("不能大于%(max)s", max=schema["maximum"])
    if error.validator == "maxItems":
        return _l("最多%(max)s项", max=schema["maxItems"])
    if error.validator == "uniqueItems":
        return _l("不能有重复项")
    if error.validator == "pattern":
        return _l("含有不允许的字符")
    return _l("取值无效")


_TYPE_NAMES = {"string": _l("字符串"), "integer": _l("整数"), "boolean": _l("布尔值"), "array": _l("数组"),
               "object": _l("对象"), "null": "null"}


def problems(schema, data):
    """{field: [reason, …]} for what in `data` breaks `schema` (empty: it conforms)."""
    found = {}
    for error in sorted(Draft4Validator(_draft4(schema)).iter_errors(data), key=lambda e: list(e.absolute_path)):
        found.setdefault(_field(error), []).append(str(_message(error)))
    return found


def _draft4(schema):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type, recursively."""
    if isinstance(schema, list):
        return [_draft4(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "description", "format"):
            continue
        out[key] = {name: _draft4(v) for name, v in value.items()} if key == "properties" else _draft4(value)
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
    return out


def json_body(schema):
    """The request's JSON object, checked against `schema`; ApiError 400 listing what is wrong."""
    if not request.is_json:
        raise ApiError(400, "json_required", _l("请求体须为JSON（Content-Type: application/json）"))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _l("请求体须为JSON对象"))
    found = problems(schema, data)
    if found:
        raise ApiError(400, "invalid_request", _l("请求内容不符合接口说明"), errors=found)
    return data


def query_args(parameters):
    """Query arguments, converted and checked against the operation's declared parameters."""
    values, found = {}, {}
    declared = {p["name"]: p for p in parameters if p["in"] == "query"}
    for name, raw in request.args.items(multi=True):
        if name not in declared:
            found[name] = [str(_l("不支持的查询参数"))]  # a misspelt filter must not pass for "everything"
            continue
        if name in values or name in found:
            found[name] = [str(_l("参数重复"))]
            continue
        schema = declared[name]["schema"]
        value = raw
        if schema.get("type") == "integer":
            value = int(raw) if INTEGER.fullmatch(raw) else raw
        reasons = problems(schema, value)
        if reasons:
            found[name] = reasons["body"]
        else:
            values[name] = value
    if found:
        raise ApiError(400, "invalid_parameter", _l("查询参数不正确"), errors=found)
    for name, parameter in declared.items():
        values.setdefault(name, parameter["schema"].get("default"))
    return values
