"""Schema post-processing: every operation documents the refusals any call can meet (invalid
input or cursor, no or a bad token, no right, not found, over budget) with the one error body."""

COMMON = {
    "400": "请求内容有误（fields 列出各字段的错误）",
    "401": "未提供令牌，或令牌无效、已过期、已吊销",
    "403": "无权执行该操作",
    "404": "记录不存在或无权查看",
    "429": "调用过于频繁",
}


def add_common_errors(result, generator, request, public):
    ref = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, text in COMMON.items():
                responses.setdefault(code, {"content": {"application/json": {"schema": ref}}, "description": text})
    return result
