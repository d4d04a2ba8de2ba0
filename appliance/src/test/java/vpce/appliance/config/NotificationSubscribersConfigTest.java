package vpce.appliance.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** managementApi.notificationSubscribers: SNS topic ARN and http:// endpoint, validated with field and value named. */
class NotificationSubscribersConfigTest
{
    private static final String API = """
        managementApi:
          accessKeys:
            - {accessKeyId: AKIAEXAMPLE000000001, secretAccessKey: s3cret, allowedActions: ["ec2:*"]}
          notificationSubscribers:
            - {topicArn: "arn:aws:sns:us-east-1:123456789012:provider", endpoint: "http://127.0.0.1:9000/sns"}
            - {topicArn: "arn:aws:sns:us-east-1:123456789012:provider", endpoint: "http://10.0.0.5:80"}
        """;

    private static ApplianceModel parse(final String yaml) throws ConfigException
    {
        return ConfigLoader.parse(yaml, "t.yaml");
    }

    @Test
    void subscribersLoad() throws Exception
    {
        final ApplianceModel.ManagementApiSpec api = parse(TestConfigs.labConfig() + API).managementApi();
        assertEquals(List.of("http://127.0.0.1:9000/sns", "http://10.0.0.5:80/"),
            api.notificationSubscribers().stream().map(s -> s.endpoint().toString()).toList());
        assertTrue(api.notificationSubscribers().stream().allMatch(s -> s.topicArn().equals("arn:aws:sns:us-east-1:123456789012:provider")));
        assertEquals(List.of(), parse(TestConfigs.labConfig() + "managementApi: {}\n").managementApi().notificationSubscribers());
    }

    static Stream<Arguments> badValues()
    {
        return Stream.of(
            Arguments.of("arn:aws:sns:us-east-1:123456789012:provider\", endpoint: \"http://127",
                "arn:aws:sqs:us-east-1:123456789012:provider\", endpoint: \"http://127",
                "managementApi.notificationSubscribers[0].topicArn: 'arn:aws:sqs:us-east-1:123456789012:provider' is not an SNS topic ARN"),
            Arguments.of("http://127.0.0.1:9000/sns", "https://127.0.0.1:9000/sns",
                "managementApi.notificationSubscribers[0].endpoint: 'https://127.0.0.1:9000/sns' must be an http:// URL (https is not supported)"),
            Arguments.of("http://127.0.0.1:9000/sns", "http://u:p@127.0.0.1/",
                "managementApi.notificationSubscribers[0].endpoint: 'http://u:p@127.0.0.1/' must be http://host[:port][/path]"),
            Arguments.of("http://10.0.0.5:80", "http://127.0.0.1:9000/sns",
                "managementApi.notificationSubscribers[1].endpoint: 'http://127.0.0.1:9000/sns' is already subscribed"),
            Arguments.of(", endpoint: \"http://10.0.0.5:80\"", "",
                "managementApi.notificationSubscribers[1].endpoint: is required"),
            Arguments.of("    - {accessKeyId: AKIAEXAMPLE000000001, secretAccessKey: s3cret, allowedActions: [\"ec2:*\"]}\n", "",
                "managementApi.notificationSubscribers: connection notifications come from the EC2 API"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badValues")
    void aBadValueNamesItsFieldAndValue(final String good, final String bad, final String expected)
    {
        final String yaml = TestConfigs.labConfig() + API;
        final String broken = yaml.replace(good, bad);
        assertTrue(!broken.equals(yaml), "test setup: '" + good + "' not found");
        final ConfigException ex = assertThrows(ConfigException.class, () -> parse(broken));
        assertTrue(ex.getMessage().contains(expected), "message was: " + ex.getMessage());
    }
}
