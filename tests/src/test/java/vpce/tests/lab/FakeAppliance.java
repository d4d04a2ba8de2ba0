package vpce.tests.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Stands in for the appliance in lifecycle tests: accepts {@code run --config FILE}, checks that it
 * runs in the appliance namespace (its ports are visible), writes the ready file into the
 * configuration's stateDirectory and then waits to be stopped, as the real appliance would.
 */
public final class FakeAppliance
{
    private FakeAppliance()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 3 || !"run".equals(args[0]) || !"--config".equals(args[1]))
        {
            System.err.println("usage: run --config FILE");
            System.exit(2);
        }

        final JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(Path.of(args[2]).toFile());
        for (final JsonNode port : config.get("ports"))
        {
            final Path netdev = Path.of("/sys/class/net", port.get("name").asText());
            if (!Files.exists(netdev))
            {
                // /sys/class/net shows the namespace the process was started in (ip netns exec
                // remounts /sys), so a missing port means the launch was not in the app namespace.
                System.err.println("port " + netdev + " not found");
                System.exit(3);
            }
        }

        final Path stateDirectory = Path.of(config.get("stateDirectory").asText());
        Files.createDirectories(stateDirectory);
        // Logged before the ready file appears: whoever sees the file must find the line.
        System.out.println("fake appliance ready");
        System.out.flush();
        Files.writeString(stateDirectory.resolve("ready"), ProcessHandle.current().pid() + "\n");

        new CountDownLatch(1).await();
    }
}
