# jsonschema reads its meta-schemas with importlib.resources
# (files(__package__).joinpath("schemas/...")); jsonschema/schemas has no
# __init__.py.
import json, sys
import jsonschema
for arg in sys.argv[1:]:
    draft, instance = arg.split('=', 1)
    schema = {"$schema": draft, "type": "object",
              "properties": {"n": {"type": "integer", "minimum": 1}}}
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    print(cls.__name__, sorted(e.message for e in cls(schema).iter_errors(json.loads(instance))))
