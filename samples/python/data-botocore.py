# botocore reads its endpoint and service tables from botocore/data, found
# with os.path.dirname(__file__) (loaders.py BUILTIN_DATA_PATH).  No network:
# only the client's model and endpoint are printed.
import sys
import botocore.session
s = botocore.session.get_session()
for arg in sys.argv[1:]:
    svc, region = arg.split('@')
    c = s.create_client(svc, region_name=region, aws_access_key_id='a',
                        aws_secret_access_key='b')
    print(svc, region, c.meta.endpoint_url, sorted(c.meta.service_model.operation_names)[:3])
