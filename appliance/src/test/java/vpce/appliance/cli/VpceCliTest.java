package vpce.appliance.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class VpceCliTest
{
    @Test
    void onlyAPlainRunWithAConfigSkipsPicocli()
    {
        assertEquals(Path.of("/etc/vpce/vpce.yaml"), VpceCli.plainRunConfig(new String[]{"run", "--config", "/etc/vpce/vpce.yaml"}));
        assertEquals(Path.of("vpce.yaml"), VpceCli.plainRunConfig(new String[]{"run", "--config=vpce.yaml"}));
        assertNull(VpceCli.plainRunConfig(new String[]{"run", "--help"}));
        assertNull(VpceCli.plainRunConfig(new String[]{"run", "--config"}));
        assertNull(VpceCli.plainRunConfig(new String[]{"run", "--config", "--help"}));
        assertNull(VpceCli.plainRunConfig(new String[]{"run", "--config="}));
        assertNull(VpceCli.plainRunConfig(new String[]{"check-config", "--config", "vpce.yaml"}));
        assertNull(VpceCli.plainRunConfig(new String[]{"run", "--config", "vpce.yaml", "extra"}));
        assertNull(VpceCli.plainRunConfig(new String[0]));
    }

    @Test
    void aPlainRunOfABadFileEndsAsThePicocliRunDoes(@TempDir final Path dir) throws Exception
    {
        final Path bad = Files.writeString(dir.resolve("vpce.yaml"), "region: [not, a, region\n");
        assertEquals(2, RunCommand.runPlain(bad));
        assertEquals(2, VpceCli.execute("run", "--config", bad.toString()));
    }
}
