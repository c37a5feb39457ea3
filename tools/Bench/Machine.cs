using System.Runtime.InteropServices;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Bench;

/// <summary>The machine and software a run was measured on, and how busy the machine was.</summary>
internal sealed record Machine(int Cores, string Processor, double MemoryGiB, string System, string Dotnet, string OnnxRuntime)
{
    public static Machine Describe() => new(
        Environment.ProcessorCount,
        ProcFileValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ProcFileValue("/proc/meminfo", "MemTotal") is { } total && double.TryParse(total.Split(' ')[0], out var kib) ? kib / 1048576 : double.NaN,
        RuntimeInformation.OSDescription,
        Environment.Version.ToString(),
        OnnxRuntimeEnvironment.Version);

    /// <summary>The 1-minute load average (Linux), or null elsewhere; above the core count means other work shared the machine.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, global::System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU seconds (user and system) of this process and of every child it has waited for (Linux /proc/self/stat,
    /// clock ticks of 1/100 s); null elsewhere. On an idle machine with n cores the run cannot be faster than this / n.
    /// </summary>
    public static double? CpuSecondsWithChildren()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            // Fields after the parenthesised command name; utime, stime, cutime, cstime are fields 14 to 17.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Skip(11).Take(4).Sum(f => double.Parse(f, global::System.Globalization.CultureInfo.InvariantCulture)) / 100;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public override string ToString() =>
        $"{Cores} cores ({Processor}), {Text.Fixed(MemoryGiB, 1)} GiB memory, {System}, .NET {Dotnet}, ONNX Runtime {OnnxRuntime}";

    private static string? ProcFileValue(string path, string key)
    {
        if (!File.Exists(path)) return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }
}
