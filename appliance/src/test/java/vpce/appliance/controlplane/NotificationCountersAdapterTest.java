package vpce.appliance.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vpce.appliance.stats.CountersFile;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The delivery agent's outcomes land in the counters file under the names the README gives, readable by `vpce stats`. */
class NotificationCountersAdapterTest
{
    @Test
    void outcomesAreCountedUnderTheirNames(@TempDir final Path directory) throws Exception
    {
        try (CountersFile counters = CountersFile.create(directory))
        {
            final NotificationCountersAdapter adapter = new NotificationCountersAdapter(counters.manager());
            adapter.delivered();
            adapter.delivered();
            adapter.retried();
            adapter.retried();
            adapter.retried();
            adapter.failed();
            adapter.dropped();
            adapter.dropped();
            adapter.dropped();
            adapter.dropped();
            try (CountersFile reader = CountersFile.open(directory))
            {
                assertEquals(2, reader.value("notifications.delivered"));
                assertEquals(3, reader.value("notifications.retried"));
                assertEquals(1, reader.value("notifications.failed"));
                assertEquals(4, reader.value("notifications.dropped"));
            }
        }
    }
}
