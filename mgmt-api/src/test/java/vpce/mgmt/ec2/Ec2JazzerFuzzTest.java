package vpce.mgmt.ec2;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Jazzer (coverage-guided) fuzz tests of the form decoder and the action dispatcher.
 *
 * <p>Under plain JUnit they run in regression mode: each input in
 * {@code src/test/resources/vpce/mgmt/ec2/Ec2JazzerFuzzTestInputs/<method>/} once, plus an empty input. The build
 * also fuzzes each of them for {@code vpce.fuzz.duration} (20 s by default; see mgmt-api's pom, executions
 * {@code jazzer-*}). By hand, for longer:
 * <pre>
 * JAZZER_FUZZ=1 mvn -o -pl mgmt-api test -Dtest='Ec2JazzerFuzzTest#decoderAndDispatcher' -Djazzer.max_duration=300s
 * </pre>
 * A crashing input is saved under the inputs directory and, committed, becomes a regression case.
 */
class Ec2JazzerFuzzTest
{
    /** Raw bytes through the decoder and then the dispatcher over the stub actions ({@link Ec2FuzzProperty}). */
    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"&", "=", "%2F", "%C3%A9", "Action=", "Version=2016-11-15", "DryRun=true", "CreateVpc", "CidrBlock=",
        "DescribeAvailabilityZones", "ModifyVpcAttribute", "EnableDnsHostnames.Value=", "AuthorizeSecurityGroupIngress",
        "IpPermissions.1.IpProtocol=", "IpPermissions.1.FromPort=", "IpPermissions.1.IpRanges.1.CidrIp=", "CreateNetworkAclEntry",
        "PortRange.From=", "RuleNumber=", "Egress=", "RuleAction=", "DeleteVpcEndpoints", "VpcEndpointId.1=", "Filter.1.Name=",
        "Filter.1.Value.1=", "TagSpecification.1.Tag.1.Key=", ".1000", ".1001", ".01", "true", "false"})
    void decoderAndDispatcher(final byte[] input)
    {
        Ec2FuzzProperty.check(input);
    }

    /**
     * The real actions over a real control plane holding a live world (VPC, subnets, groups, ACL, endpoints, a provider
     * service, a notification; {@link Ec2CatalogFuzzTest.World}), fresh for every input so that an input's outcome does
     * not depend on the ones before it. The input picks a well-formed request naming that world's resources and splices
     * fuzzer bytes into it (or, sometimes, is sent raw): a refusal or dry run must leave the state unchanged, nothing may
     * answer InternalError or malformed XML.
     */
    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"&", "=", "%2F", "&DryRun=true", "&VpcId=", "&SubnetId.1=", "&SecurityGroupId.1=", "&GroupId=",
        "&NetworkAclId=", "&VpcEndpointId.1=", "&ServiceId=", "&PrivateDnsEnabled=true", "vpc-", "subnet-", "sg-", "acl-",
        "vpce-", "vpce-svc-", "vpce-nfn-", "us-east-1c", ".2", "0.0.0.0%2F0"})
    void dispatcherOverTheControlPlane(final FuzzedDataProvider data)
    {
        final Ec2CatalogFuzzTest.Fresh fresh = Ec2CatalogFuzzTest.Fresh.build();
        final byte[] input;
        if (data.consumeInt(0, 7) == 0)
        {
            input = data.consumeRemainingAsBytes();
        }
        else
        {
            final byte[] template = fresh.world().seed(new SplittableRandom(data.consumeLong())).getBytes(StandardCharsets.US_ASCII);
            final int cut = data.consumeInt(0, template.length);
            final int drop = data.consumeInt(0, Math.min(32, template.length - cut));
            final ByteArrayOutputStream spliced = new ByteArrayOutputStream(template.length + 64);
            spliced.write(template, 0, cut);
            spliced.writeBytes(data.consumeRemainingAsBytes());
            spliced.write(template, cut + drop, template.length - cut - drop);
            input = spliced.toByteArray();
        }
        Ec2CatalogFuzzTest.check(input, fresh.controlPlane(), fresh.dispatcher());
    }
}
