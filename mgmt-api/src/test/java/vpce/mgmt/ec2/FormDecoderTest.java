package vpce.mgmt.ec2;

import org.junit.jupiter.api.Test;
import vpce.mgmt.ApiException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FormDecoderTest
{
    private static QueryParameters decode(final String body)
    {
        return FormDecoder.decode(body.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertRefused(final String body, final String code, final String messagePart)
    {
        final ApiException refusal = assertThrows(ApiException.class, () -> decode(body), body);
        assertEquals(code, refusal.code(), refusal.getMessage());
        assertEquals(400, refusal.httpStatus());
        assertTrue(refusal.getMessage().contains(messagePart), refusal.getMessage());
    }

    @Test
    void decodesTheCapturedCliBodiesInOrder()
    {
        final QueryParameters parameters = decode("Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1" +
            "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443" +
            "&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0%2F24&IpPermissions.2.IpProtocol=tcp");
        assertEquals(List.of("Action", "Version", "GroupId", "IpPermissions.1.IpProtocol", "IpPermissions.1.FromPort",
            "IpPermissions.1.ToPort", "IpPermissions.1.IpRanges.1.CidrIp", "IpPermissions.2.IpProtocol"), List.copyOf(parameters.names()));
        assertEquals("203.0.113.0/24", parameters.get("IpPermissions.1.IpRanges.1.CidrIp"));
        assertEquals("arn:aws:sns:us-east-1:123456789012:t",
            decode("ConnectionNotificationArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At").get("ConnectionNotificationArn"));
    }

    @Test
    void plusIsSpaceEscapesAreUtf8AndEmptySegmentsAreSkipped()
    {
        final QueryParameters parameters = decode("&GroupDescription=web+tier%20%C3%A9t%C3%A9%F0%9F%98%80&&DryRun&Empty=&");
        assertEquals(Map.of("GroupDescription", "web tier \u00e9t\u00e9\uD83D\uDE00", "DryRun", "", "Empty", ""), parameters.asMap());
        assertEquals(0, decode("").size());
        assertEquals(0, decode("&&&").size());
        assertEquals("a=b", decode("X=a%3Db").get("X"));
        assertEquals("tab\tnewline\ncr\r", decode("X=tab%09newline%0Acr%0D").get("X"));
    }

    @Test
    void truncatedAndBadPercentEscapesAreMalformed()
    {
        for (final String body : List.of("Action=%", "Action=%4", "Action=%zz", "Action=abc%4g", "Act%ion=x", "Action=%%41"))
        {
            assertRefused(body, "MalformedQueryString", "percent-encoding");
        }
    }

    @Test
    void escapesThatAreNotUtf8AreMalformed()
    {
        // lone continuation byte, truncated sequence, overlong '/', UTF-16 surrogate, code point past U+10FFFF
        for (final String body : List.of("X=%80", "X=%C3", "X=%C0%AF", "X=%ED%A0%80", "X=%F4%90%80%80", "X=%FF"))
        {
            assertRefused(body, "MalformedQueryString", "not UTF-8");
        }
    }

    @Test
    void rawBytesOutsidePrintableAsciiMustBeEncoded()
    {
        assertRefused("Action=Describe Vpcs", "MalformedQueryString", "0x20");
        assertRefused("Action=Describe\u00e9", "MalformedQueryString", "0xe9");
        assertRefused("Action=x\r\n", "MalformedQueryString", "0xd");
        assertRefused("Action=x\u0000", "MalformedQueryString", "0x0");
    }

    @Test
    void duplicateNamesAreRefusedEvenWhenSpelledDifferently()
    {
        assertRefused("SubnetId.1=a&SubnetId.1=b", "MalformedQueryString", "more than once");
        assertRefused("SubnetId.1=a&Subnet%49d.1=b", "MalformedQueryString", "SubnetId.1");
        assertRefused("DryRun=true&DryRun=false", "MalformedQueryString", "DryRun");
    }

    @Test
    void namesMustBeShortNonEmptyAndPlain()
    {
        assertRefused("=x", "MalformedQueryString", "empty name");
        assertRefused("A=1&=&B=2", "MalformedQueryString", "empty name");
        assertRefused("x".repeat(FormDecoder.MAX_NAME_LENGTH + 1) + "=1", "MalformedQueryString", "longer than 128");
        assertEquals(1, decode("x".repeat(FormDecoder.MAX_NAME_LENGTH) + "=1").size());
        assertRefused("Sub%20net=1", "MalformedQueryString", "[A-Za-z0-9._-]");
        assertRefused("Sub%0Anet=1", "MalformedQueryString", "Sub?net");
        assertRefused("%C3%A9=1", "MalformedQueryString", "[A-Za-z0-9._-]");
    }

    @Test
    void controlCharactersInValuesCannotBeEchoedInXmlSoTheyAreRefused()
    {
        assertRefused("GroupName=a%00b", "InvalidParameterValue", "U+0000");
        assertRefused("GroupName=a%1Bb", "InvalidParameterValue", "U+001B");
        assertRefused("GroupName=%EF%BF%BF", "InvalidParameterValue", "U+FFFF");
    }

    @Test
    void theParameterCountIsCapped()
    {
        final StringBuilder body = new StringBuilder();
        for (int i = 1; i <= FormDecoder.MAX_PARAMETERS; i++)
        {
            body.append("SubnetId.").append(i).append("=s&");
        }
        assertEquals(FormDecoder.MAX_PARAMETERS, decode(body.toString()).size());
        assertRefused(body + "One=more", "MalformedQueryString", "more than 1000 parameters");
    }

    @Test
    void hugeHostileBodiesAreRefusedInLinearTime()
    {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
        {
            // 128 KiB of separators, of one giant value, of escapes, of names; each decoded or refused quickly.
            assertEquals(0, decode("&".repeat(128 * 1024)).size());
            assertEquals(128 * 1024 - 2, decode("X=" + "a".repeat(128 * 1024 - 2)).get("X").length());
            assertEquals(40_000, decode("X=" + "%41".repeat(40_000)).get("X").length());
            assertRefused("a=1&".repeat(30_000), "MalformedQueryString", "more than once");
            assertRefused("x".repeat(128 * 1024) + "=1", "MalformedQueryString", "longer than 128");
            final String message = assertThrows(ApiException.class, () -> decode("x".repeat(128 * 1024) + "=1")).getMessage();
            assertTrue(message.length() < 400, "a refusal echoes a bounded part of the input: " + message.length());
        });
    }

    @Test
    void queryStringsDecodeTheSameWay()
    {
        assertEquals(Map.of("Action", "DescribeVpcs", "Filter.1.Value.1", "a b/c"),
            FormDecoder.decode("Action=DescribeVpcs&Filter.1.Value.1=a+b%2Fc").asMap());
    }

    @Test
    void mergeRefusesANameInBothParts()
    {
        final QueryParameters query = decode("Action=DescribeVpcs");
        assertEquals(2, query.merge(decode("Version=2016-11-15")).size());
        final ApiException refusal = assertThrows(ApiException.class, () -> query.merge(decode("Action=CreateVpc")));
        assertEquals("MalformedQueryString", refusal.code());
    }
}
