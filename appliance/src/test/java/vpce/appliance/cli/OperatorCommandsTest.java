package vpce.appliance.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The operator commands' failures (their answers from a running appliance: DaemonSystemTest). */
class OperatorCommandsTest
{
    @TempDir
    Path directory;

    @Test
    void anApplianceThatIsNotThereIsARuntimeFailure()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        assertEquals(1, VpceCli.execute("status", "--api", "127.0.0.1:1"));
        assertEquals(1, VpceCli.execute("flows", "--api", "127.0.0.1:1", "--top", "5"));
        assertEquals(1, VpceCli.execute("endpoints", "--api", "127.0.0.1:1"));
        assertEquals(1, VpceCli.execute("explain", "--api", "127.0.0.1:1", "--eni", "10.0.1.20", "--source", "10.0.1.10"));
    }

    @Test
    void badUsageIsExitTwo() throws Exception
    {
        assertEquals(2, VpceCli.execute("flows", "--api", "127.0.0.1:1", "--top", "many"));
        assertEquals(2, VpceCli.execute("stats", "--by", "rack", "--api", "127.0.0.1:1"));
        final Path noApi = directory.resolve("vpce.yaml");
        Files.writeString(noApi, vpce.appliance.config.TestConfigs.labConfig());
        assertEquals(2, VpceCli.execute("status", "--config", noApi.toString()), "a configuration without managementApi");
    }
}
