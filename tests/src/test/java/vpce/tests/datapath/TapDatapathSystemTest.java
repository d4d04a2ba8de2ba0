package vpce.tests.datapath;

import vpce.appliance.lab.LabPorts;

/** The appliance on TAP devices it creates inside the client and service namespaces. */
class TapDatapathSystemTest extends AbstractDatapathSystemTest
{
    @Override
    LabPorts ports()
    {
        return LabPorts.TAP;
    }
}
