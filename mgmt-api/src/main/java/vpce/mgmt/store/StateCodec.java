package vpce.mgmt.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import vpce.mgmt.controlplane.Change;
import vpce.mgmt.controlplane.Commit;
import vpce.mgmt.controlplane.ConnectionNotification;
import vpce.mgmt.controlplane.EndpointService;
import vpce.mgmt.controlplane.NetworkAcl;
import vpce.mgmt.controlplane.NetworkInterface;
import vpce.mgmt.controlplane.Resource;
import vpce.mgmt.controlplane.SecurityGroup;
import vpce.mgmt.controlplane.Subnet;
import vpce.mgmt.controlplane.Vpc;
import vpce.mgmt.controlplane.VpcEndpoint;

import java.io.IOException;
import java.util.List;

/**
 * JSON encoding of commits and snapshots with Jackson (which mgmt-api already has). The model records stay free of
 * Jackson annotations: the type names a polymorphic {@link Resource} or {@link Change} is written with come from
 * mix-ins here. Unknown properties are refused (a file written by a newer version is an error, not silently read
 * short).
 */
final class StateCodec
{
    /** The snapshot file's body. */
    record SnapshotDocument(int format, long sequence, List<Resource> resources)
    {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Vpc.class, name = "vpc"),
        @JsonSubTypes.Type(value = Subnet.class, name = "subnet"),
        @JsonSubTypes.Type(value = SecurityGroup.class, name = "securityGroup"),
        @JsonSubTypes.Type(value = NetworkAcl.class, name = "networkAcl"),
        @JsonSubTypes.Type(value = EndpointService.class, name = "endpointService"),
        @JsonSubTypes.Type(value = VpcEndpoint.class, name = "vpcEndpoint"),
        @JsonSubTypes.Type(value = NetworkInterface.class, name = "networkInterface"),
        @JsonSubTypes.Type(value = ConnectionNotification.class, name = "connectionNotification")})
    private interface ResourceMixin
    {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Change.Put.class, name = "put"),
        @JsonSubTypes.Type(value = Change.Remove.class, name = "remove")})
    private interface ChangeMixin
    {
    }

    static final int FORMAT = 1;

    /** Thread-safe once configured; shared so that every store (and every test's reopen) reuses its introspection. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
        .addMixIn(Resource.class, ResourceMixin.class)
        .addMixIn(Change.class, ChangeMixin.class)
        .setSerializationInclusion(JsonInclude.Include.NON_NULL)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
        .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
        .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, true);

    byte[] encode(final Commit commit) throws IOException
    {
        return MAPPER.writeValueAsBytes(commit);
    }

    Commit decodeCommit(final byte[] bytes, final int offset, final int length) throws IOException
    {
        return MAPPER.readValue(bytes, offset, length, Commit.class);
    }

    byte[] encode(final SnapshotDocument snapshot) throws IOException
    {
        return MAPPER.writeValueAsBytes(snapshot);
    }

    SnapshotDocument decodeSnapshot(final byte[] bytes, final int offset, final int length) throws IOException
    {
        return MAPPER.readValue(bytes, offset, length, SnapshotDocument.class);
    }
}
