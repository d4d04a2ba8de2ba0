package vpce.appliance.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What exists of a lab: its namespaces and the processes it recorded in pid files.
 *
 * @param name         lab name.
 * @param runDirectory run directory.
 * @param mode         mode recorded in lab.json, or null when there is no readable lab.json.
 * @param namespaces   the lab's namespaces and whether each exists.
 * @param processes    processes recorded in the run directory's pid files.
 */
public record LabStatus(
    String name,
    Path runDirectory,
    LabMode mode,
    List<NamespaceState> namespaces,
    List<ProcessState> processes)
{
    /** Role of the appliance process in {@link ProcessState#role()}. */
    public static final String APPLIANCE = "appliance";

    public LabStatus
    {
        namespaces = List.copyOf(namespaces);
        processes = List.copyOf(processes);
    }

    /**
     * @return true when every namespace exists and every recorded process is alive.
     */
    public boolean up()
    {
        return !namespaces.isEmpty() &&
            namespaces.stream().allMatch(NamespaceState::present) &&
            processes.stream().allMatch(ProcessState::alive);
    }

    /**
     * @return true when nothing of the lab is left: no namespace, no live recorded process.
     */
    public boolean down()
    {
        return namespaces.stream().noneMatch(NamespaceState::present) &&
            processes.stream().noneMatch(ProcessState::alive);
    }

    /**
     * @return the recorded appliance pid, empty in kernel mode or when there is none.
     */
    public OptionalLong appliancePid()
    {
        for (final ProcessState process : processes)
        {
            if (APPLIANCE.equals(process.role()))
            {
                return OptionalLong.of(process.pid());
            }
        }
        return OptionalLong.empty();
    }

    /**
     * @return true when an appliance pid is recorded and that process is alive.
     */
    public boolean applianceAlive()
    {
        return processes.stream().anyMatch((p) -> APPLIANCE.equals(p.role()) && p.alive());
    }

    /**
     * @param name    namespace name.
     * @param present whether it exists (has an entry under /run/netns).
     */
    public record NamespaceState(String name, boolean present)
    {
    }

    /**
     * @param role  appliance, iperf3 or http.
     * @param pid   recorded pid.
     * @param alive whether that pid is alive and still runs the recorded program.
     */
    public record ProcessState(String role, long pid, boolean alive)
    {
    }
}
