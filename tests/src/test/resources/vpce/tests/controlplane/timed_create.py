"""CreateVpcEndpoint -> available -> first TCP connect, timed from the client's side.

Drives the AWS CLI Debian installs as /usr/bin/aws, in process (awscli.clidriver, the module /usr/bin/aws
runs), so that Python's start-up (about a second a call) does not hide what is measured. Run in the
namespace where the management API listens; the TCP connects are made from the client's namespace, which
the process enters (setns) once every API call is done.

usage: timed_create.py URL CLIENT_NETNS PORT CLI-ARGS-OF-CREATE-VPC-ENDPOINT...
prints one JSON object: endpoint id, ENI addresses by zone, and the times in ms from just before the create.
"""
import ctypes
import io
import json
import os
import socket
import sys
import time

from awscli.clidriver import create_clidriver

URL, CLIENT_NETNS, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
CREATE_ARGS = sys.argv[4:]
DRIVER = create_clidriver()
DEADLINE_S = 20


def aws(*args, may_fail=False):
    out = io.StringIO()
    saved = (sys.stdout, sys.stderr)
    sys.stdout = out
    if may_fail:
        sys.stderr = io.StringIO()
    try:
        rc = DRIVER.main(list(args) + ['--endpoint-url', URL, '--output', 'json'])
    finally:
        sys.stdout, sys.stderr = saved
    if rc != 0 and not may_fail:
        raise SystemExit('aws %s failed with %d' % (' '.join(args), rc))
    text = out.getvalue()
    return json.loads(text) if text.strip() else None


def ms_since(start_ns):
    return (time.monotonic_ns() - start_ns) / 1e6


# The CLI loads each operation's model on its first use (a few hundred ms): not part of what is timed.
aws('ec2', 'create-vpc-endpoint', '--dry-run', *CREATE_ARGS, may_fail=True)
aws('ec2', 'describe-vpc-endpoints', '--max-results', '5')
aws('ec2', 'describe-network-interfaces', '--max-results', '5')
start = time.monotonic_ns()
endpoint = aws('ec2', 'create-vpc-endpoint', *CREATE_ARGS)['VpcEndpoint']
created_ms = ms_since(start)
endpoint_id = endpoint['VpcEndpointId']
describes = 0
while True:
    describes += 1
    state = aws('ec2', 'describe-vpc-endpoints', '--vpc-endpoint-ids', endpoint_id)['VpcEndpoints'][0]['State']
    if state == 'available':
        available_ms = ms_since(start)
        break
    if ms_since(start) > DEADLINE_S * 1000:
        raise SystemExit('%s still %s after %d s' % (endpoint_id, state, DEADLINE_S))
enis = aws('ec2', 'describe-network-interfaces', '--network-interface-ids', *endpoint['NetworkInterfaceIds'])
addresses = {eni['AvailabilityZone']: eni['PrivateIpAddress'] for eni in enis['NetworkInterfaces']}
described_ms = ms_since(start)

libc = ctypes.CDLL('libc.so.6', use_errno=True)
with open('/run/netns/' + CLIENT_NETNS) as netns:
    if libc.setns(netns.fileno(), 0x40000000) != 0:  # CLONE_NEWNET
        raise SystemExit('setns %s: errno %d' % (CLIENT_NETNS, ctypes.get_errno()))
address = sorted(addresses.items())[0][1]
attempts = 0
while True:
    attempts += 1
    try:
        with socket.create_connection((address, PORT), timeout=0.2):
            connected_ms = ms_since(start)
            break
    except OSError:
        if ms_since(start) > DEADLINE_S * 1000:
            raise
        time.sleep(0.001)

print(json.dumps({
    'endpointId': endpoint_id,
    'addresses': addresses,
    'createReturnedMs': round(created_ms, 1),
    'availableMs': round(available_ms, 1),
    'describesUntilAvailable': describes,
    'addressesKnownMs': round(described_ms, 1),
    'firstConnectMs': round(connected_ms, 1),
    'connectAttempts': attempts,
}))
