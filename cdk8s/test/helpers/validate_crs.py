"""Validates custom resources against the openAPIV3Schema of their CRDs, offline.

Reads JSON from stdin: {"crds": [CRD objects], "objects": [custom resources]} and prints
a JSON list of "Kind/name: path: message" errors. Fields a schema does not declare are
errors here (the apiserver would silently prune them), unless the schema preserves
unknown fields. CEL rules (x-kubernetes-validations) need a real apiserver: not checked.
Uses jsonschema's Draft 4 rules, whose boolean exclusiveMinimum matches OpenAPI 3.0.
"""
import json
import sys

from jsonschema import Draft4Validator


def closed(schema):
    """Copy of schema where every object with declared properties rejects others."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if schema.get("nullable"):
        out.pop("type", None)
    return out


def schemas_by_kind(crds):
    found = {}
    for crd in crds:
        spec = crd["spec"]
        for version in spec["versions"]:
            key = (f'{spec["group"]}/{version["name"]}', spec["names"]["kind"])
            schema = closed(version["schema"]["openAPIV3Schema"])
            # metadata is checked by the apiserver's ObjectMeta, not by the CRD schema.
            schema.setdefault("properties", {})["metadata"] = {"type": "object"}
            found[key] = schema
    return found


def main():
    request = json.load(sys.stdin)
    schemas = schemas_by_kind(request["crds"])
    errors = []
    for obj in request["objects"]:
        key = (obj["apiVersion"], obj["kind"])
        where = f'{obj["kind"]}/{obj["metadata"]["name"]}'
        schema = schemas.get(key)
        if schema is None:
            errors.append(f"{where}: no CRD for {key[0]} {key[1]}")
            continue
        for error in Draft4Validator(schema).iter_errors(obj):
            path = "/".join(str(p) for p in error.absolute_path)
            errors.append(f"{where}: {path}: {error.message}")
    json.dump(errors, sys.stdout)


if __name__ == "__main__":
    main()
