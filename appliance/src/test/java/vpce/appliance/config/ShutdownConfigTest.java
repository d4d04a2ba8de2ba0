package vpce.appliance.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShutdownConfigTest
{
    @Test
    void drainSecondsDefaultsToFive() throws Exception
    {
        assertEquals(5, ConfigLoader.parse(TestConfigs.labConfig(), "lab.yaml").shutdown().drainSeconds());
    }

    @Test
    void drainSecondsIsRead() throws Exception
    {
        final String yaml = TestConfigs.labConfig() + "\nshutdown:\n  drainSeconds: 0\n";
        assertEquals(0, ConfigLoader.parse(yaml, "lab.yaml").shutdown().drainSeconds());
    }

    @Test
    void drainSecondsOutOfRangeIsRefusedByName()
    {
        final ConfigException bad = assertThrows(ConfigException.class,
            () -> ConfigLoader.parse(TestConfigs.labConfig() + "\nshutdown: {drainSeconds: 3601}\n", "lab.yaml"));
        assertEquals(true, bad.getMessage().contains("shutdown.drainSeconds"), bad.getMessage());
        assertEquals(true, bad.getMessage().contains("3601"), bad.getMessage());
    }
}
