package vpce.mgmt.ec2;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer fuzz test of the form decoder and the dispatcher ({@link Ec2FuzzProperty}).
 *
 * <p>Under plain JUnit (CI) it runs in regression mode: each input in
 * {@code src/test/resources/vpce/mgmt/ec2/Ec2JazzerFuzzTestInputs/decoderAndDispatcher/} once, plus an empty input.
 * To fuzz, with coverage-guided mutation, for N seconds:
 * <pre>
 * JAZZER_FUZZ=1 mvn -o -pl mgmt-api test -Dtest=Ec2JazzerFuzzTest -Djazzer.max_duration=300s
 * </pre>
 * A crashing input is saved under that directory and, committed, becomes a regression case.
 */
class Ec2JazzerFuzzTest
{
    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"&", "=", "%2F", "%C3%A9", "Action=", "Version=2016-11-15", "DryRun=true", "CreateVpc", "CidrBlock=",
        "DescribeAvailabilityZones", "ModifyVpcAttribute", "EnableDnsHostnames.Value=", "AuthorizeSecurityGroupIngress",
        "IpPermissions.1.IpProtocol=", "IpPermissions.1.FromPort=", "IpPermissions.1.IpRanges.1.CidrIp=", "CreateNetworkAclEntry",
        "PortRange.From=", "RuleNumber=", "Egress=", "RuleAction=", "DeleteVpcEndpoints", "VpcEndpointId.1=", "Filter.1.Name=",
        "Filter.1.Value.1=", "TagSpecification.1.Tag.1.Key=", ".1000", ".1001", ".01", "true", "false"})
    void decoderAndDispatcher(final byte[] input)
    {
        Ec2FuzzProperty.check(input);
    }
}
