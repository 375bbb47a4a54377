package dev.ppml.jobs.bench;

import java.lang.management.ManagementFactory;

/** CPU time of this whole process: every thread, the embedded cluster's included. */
final class ProcessCpu {
    private ProcessCpu() {}

    static long nanos() {
        java.lang.management.OperatingSystemMXBean os =
                ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            long cpu = hotspot.getProcessCpuTime();
            if (cpu >= 0) {
                return cpu;
            }
        }
        throw new IllegalStateException(
                "this JVM does not report process CPU time; run the bench on a HotSpot JVM");
    }

    /**
     * How busy the whole machine's CPUs were (0 to 1, every process), on average since the previous
     * call in this JVM: call it once before a run and once after. Negative where unknown.
     */
    static double machineLoad() {
        return ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean hotspot
                ? hotspot.getCpuLoad()
                : -1;
    }
}
