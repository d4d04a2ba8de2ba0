package vpce.mgmt.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vpce.mgmt.ManagementServer;
import vpce.mgmt.auth.AccessKeys;
import vpce.mgmt.auth.SigV4Verifier;
import vpce.mgmt.controlplane.Commit;
import vpce.mgmt.controlplane.ControlPlaneState;
import vpce.mgmt.controlplane.Fixture;
import vpce.mgmt.store.FileStateStore;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A REST PATCH of several parts is one commit: all parts validated on one transaction, one record in the store's log
 * when it succeeds, nothing at all (state, log) when any part — the last one in these tests — is refused.
 */
class RestPatchAtomicityTest
{
    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDirectory;
    private FileStateStore store;
    private Fixture fixture;
    private ManagementServer server;

    record Answer(int status, String contentType, JsonNode body)
    {
    }

    @BeforeEach
    void start() throws Exception
    {
        store = FileStateStore.open(stateDirectory);
        fixture = new Fixture(Fixture.settings(), store, 7);
        final RestApi api = new RestApi(fixture.controlPlane, new SigV4Verifier(AccessKeys.of(), InstantSource.system()),
            List.of(new BearerToken(TOKEN, List.of("ec2:*"))));
        server = ManagementServer.start(new InetSocketAddress("127.0.0.1", 0), Map.of(), null, api);
    }

    @AfterEach
    void stop() throws Exception
    {
        server.close();
        store.close();
    }

    private Answer send(final String method, final String path, final String body) throws Exception
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        final HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
            response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body()));
    }

    private JsonNode ok(final int status, final String method, final String path, final String body) throws Exception
    {
        final Answer answer = send(method, path, body);
        assertEquals(status, answer.status(), method + " " + path + ": " + answer.body());
        return answer.body();
    }

    /** Refused with problem+json and {@code code}; the published state and the log on disk are as they were. */
    private void refusedUnchanged(final int status, final String code, final String method, final String path, final String body)
        throws Exception
    {
        final ControlPlaneState before = fixture.controlPlane.state();
        final long sequenceBefore = store.lastSequence();
        final byte[] logBefore = Files.readAllBytes(store.logFile());
        final int commitsBefore = fixture.commits.size();
        final Answer answer = send(method, path, body);
        assertEquals(status, answer.status(), answer.body().toString());
        assertEquals(RestResponse.PROBLEM_JSON, answer.contentType());
        assertEquals(code, answer.body().path("code").asText(), answer.body().toString());
        assertSame(before, fixture.controlPlane.state(), "no part of the refused PATCH was published");
        assertEquals(sequenceBefore, store.lastSequence());
        assertTrue(java.util.Arrays.equals(logBefore, Files.readAllBytes(store.logFile())), "nothing was written to the log");
        assertEquals(commitsBefore, fixture.commits.size());
    }

    /** Runs a PATCH that must succeed and @return its one commit, after checking the log grew by exactly one record. */
    private Commit oneCommit(final String path, final String body) throws Exception
    {
        final long sequenceBefore = store.lastSequence();
        final int commitsBefore = fixture.commits.size();
        ok(200, "PATCH", path, body);
        assertEquals(sequenceBefore + 1, store.lastSequence(), "one record in the log");
        assertEquals(commitsBefore + 1, fixture.commits.size(), "one state published");
        return fixture.commits.get(fixture.commits.size() - 1);
    }

    private String vpc() throws Exception
    {
        return ok(201, "POST", "/v1/vpcs", "{\"cidrBlock\":\"10.0.0.0/16\"}").path("vpcId").asText();
    }

    private String subnet(final String vpcId, final String cidr, final String zone) throws Exception
    {
        return ok(201, "POST", "/v1/subnets", "{\"vpcId\":\"" + vpcId + "\",\"cidrBlock\":\"" + cidr +
            "\",\"availabilityZone\":\"" + zone + "\"}").path("subnetId").asText();
    }

    private String group(final String vpcId, final String name) throws Exception
    {
        return ok(201, "POST", "/v1/security-groups", "{\"vpcId\":\"" + vpcId + "\",\"groupName\":\"" + name +
            "\",\"description\":\"d\"}").path("groupId").asText();
    }

    private static String ingress(final int port, final String cidr)
    {
        return "{\"ipProtocol\":\"tcp\",\"fromPort\":" + port + ",\"toPort\":" + port + ",\"ipRanges\":[{\"cidrIp\":\"" + cidr + "\"}]}";
    }

    @Test
    void securityGroupPatchIsOneCommitAndAnInvalidLastPartUndoesTheEarlierOnes() throws Exception
    {
        final String groupId = group(vpc(), "web");
        oneCommit("/v1/security-groups/" + groupId, "{\"authorizeIngress\":[" + ingress(443, "10.0.0.0/8") + "]}");
        final String ruleId = fixture.controlPlane.state().securityGroup(groupId).rules().stream()
            .filter(rule -> !rule.egress()).findFirst().orElseThrow().securityGroupRuleId();
        final int rules = fixture.controlPlane.state().securityGroup(groupId).rules().size();

        // revoke (valid), then authorize ingress (valid) and egress with a bad CIDR (the last part): nothing happens.
        refusedUnchanged(400, "InvalidParameterValue", "PATCH", "/v1/security-groups/" + groupId,
            "{\"revokeIngressRuleIds\":[\"" + ruleId + "\"],\"authorizeIngress\":[" + ingress(80, "10.0.0.0/8") + "]," +
            "\"authorizeEgress\":[" + ingress(5201, "10.0.0.0/33") + "]}");
        // The same with dryRun: the real refusal, not DryRunOperation (every part is validated).
        refusedUnchanged(400, "InvalidParameterValue", "PATCH", "/v1/security-groups/" + groupId + "?dryRun=true",
            "{\"revokeIngressRuleIds\":[\"" + ruleId + "\"],\"authorizeEgress\":[" + ingress(5201, "10.0.0.0/33") + "]}");
        assertEquals(rules, fixture.controlPlane.state().securityGroup(groupId).rules().size());

        // Valid: revoke and two authorizations, one commit.
        final Commit commit = oneCommit("/v1/security-groups/" + groupId, "{\"revokeIngressRuleIds\":[\"" + ruleId + "\"]," +
            "\"authorizeIngress\":[" + ingress(80, "10.0.0.0/8") + "],\"authorizeEgress\":[" + ingress(5201, "10.0.0.0/16") + "]}");
        assertEquals(rules + 1, fixture.controlPlane.state().securityGroup(groupId).rules().size());
        assertTrue(fixture.controlPlane.state().securityGroup(groupId).rules().stream()
            .noneMatch(rule -> rule.securityGroupRuleId().equals(ruleId)));
        assertFalse(commit.changes().isEmpty());
    }

    @Test
    void networkAclPatchIsOneCommitAndAnUnknownSubnetLastUndoesTheEntries() throws Exception
    {
        final String vpcId = vpc();
        final String subnetId = subnet(vpcId, "10.0.1.0/24", "us-east-1a");
        final String aclId = ok(201, "POST", "/v1/network-acls", "{\"vpcId\":\"" + vpcId + "\"}").path("networkAclId").asText();
        final String entry = "{\"ruleNumber\":100,\"egress\":false,\"protocol\":\"tcp\",\"ruleAction\":\"allow\"," +
            "\"cidrBlock\":\"10.0.0.0/8\",\"portFrom\":443,\"portTo\":443}";

        refusedUnchanged(400, "InvalidSubnetID.NotFound", "PATCH", "/v1/network-acls/" + aclId,
            "{\"createEntries\":[" + entry + "],\"associateSubnetIds\":[\"" + subnetId + "\",\"subnet-0123456789abcdef0\"]}");
        assertTrue(fixture.controlPlane.state().networkAcl(aclId).entries().stream().noneMatch(e -> e.ruleNumber() == 100));
        assertEquals(fixture.controlPlane.state().vpc(vpcId).defaultNetworkAclId(),
            fixture.controlPlane.state().networkAclAssociationOf(subnetId).networkAclId());

        oneCommit("/v1/network-acls/" + aclId, "{\"createEntries\":[" + entry + "],\"associateSubnetIds\":[\"" + subnetId + "\"]}");
        assertTrue(fixture.controlPlane.state().networkAcl(aclId).entries().stream().anyMatch(e -> e.ruleNumber() == 100));
        assertEquals(aclId, fixture.controlPlane.state().networkAclAssociationOf(subnetId).networkAclId());
    }

    @Test
    void vpcPatchOfBothAttributesIsOneCommit() throws Exception
    {
        final String vpcId = vpc();
        final Commit commit = oneCommit("/v1/vpcs/" + vpcId, "{\"enableDnsSupport\":true,\"enableDnsHostnames\":true}");
        assertEquals(1, commit.changes().size(), "one VPC record, both attributes");
        assertTrue(fixture.controlPlane.state().vpc(vpcId).enableDnsHostnames());
        assertTrue(fixture.controlPlane.state().vpc(vpcId).enableDnsSupport());
    }

    @Test
    void endpointPatchOfSubnetsGroupsAndPrivateDnsIsOneCommitOrNothing() throws Exception
    {
        final String vpcId = vpc();
        ok(200, "PATCH", "/v1/vpcs/" + vpcId, "{\"enableDnsSupport\":true,\"enableDnsHostnames\":true}");
        final String subnetA = subnet(vpcId, "10.0.1.0/24", "us-east-1a");
        final String subnetB = subnet(vpcId, "10.0.2.0/24", "us-east-1b");
        final String web = group(vpcId, "web");
        final String endpointId = ok(201, "POST", "/v1/endpoints", "{\"vpcId\":\"" + vpcId + "\",\"serviceName\":\"" +
            Fixture.AUTO.serviceName() + "\",\"subnetIds\":[\"" + subnetA + "\"],\"privateDnsEnabled\":false}")
            .path("vpcEndpointId").asText();

        refusedUnchanged(400, "InvalidSecurityGroupID.NotFound", "PATCH", "/v1/endpoints/" + endpointId,
            "{\"addSubnetIds\":[\"" + subnetB + "\"],\"privateDnsEnabled\":true,\"addSecurityGroupIds\":[\"sg-0123456789abcdef0\"]}");
        assertEquals(List.of(subnetA), fixture.controlPlane.state().vpcEndpoint(endpointId).subnetIds());

        oneCommit("/v1/endpoints/" + endpointId,
            "{\"addSubnetIds\":[\"" + subnetB + "\"],\"privateDnsEnabled\":true,\"addSecurityGroupIds\":[\"" + web + "\"]}");
        final var endpoint = fixture.controlPlane.state().vpcEndpoint(endpointId);
        assertEquals(2, endpoint.subnetIds().size());
        assertTrue(endpoint.privateDnsEnabled());
        assertTrue(endpoint.securityGroupIds().contains(web));
    }
}
