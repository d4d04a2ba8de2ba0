package vpce.mgmt.ec2;

/**
 * An EC2 Query answer ready for the wire: status, XML body, and what the access log line needs.
 *
 * @param httpStatus 200, or the refusal's status.
 * @param body       the XML document (UTF-8).
 * @param action     the registered action the request named, else null (never raw client text: it is logged).
 * @param errorCode  null on success.
 */
public record Ec2Response(int httpStatus, byte[] body, String action, String errorCode)
{
    public static final String CONTENT_TYPE = "text/xml;charset=UTF-8";

    public static Ec2Response error(final vpce.mgmt.ApiException refusal, final String requestId, final String action)
    {
        return new Ec2Response(refusal.httpStatus(),
            Ec2XmlWriter.error(refusal.code(), refusal.getMessage(), requestId), action, refusal.code());
    }
}
