using System.Diagnostics;
using System.Text.Json;
using OnnxLowRank.Cli;

namespace OnnxLowRank.Bench;

/// <summary>
/// One CLI command in a fresh process of its own: the bench starts itself with this verb, the child runs
/// the command in-process exactly as onnx-lowrank would, then records its wall time and peak resident
/// memory, which belong to that command alone.
/// </summary>
internal static class ChildRun
{
    public const string Verb = "child";

    public static int Execute(string measurementPath, string[] cliArgs)
    {
        var clock = Stopwatch.StartNew();
        var exitCode = CliApplication.Run(cliArgs, Console.Out, Console.Error, interactive: false);
        var seconds = clock.Elapsed.TotalSeconds;
        using var self = Process.GetCurrentProcess();
        var measurement = new ChildMeasurement(exitCode, seconds, self.PeakWorkingSet64);
        File.WriteAllText(measurementPath, JsonSerializer.Serialize(measurement));
        return exitCode;
    }
}

/// <summary>What a child measured: the command's exit code, wall seconds (after process start) and peak resident bytes.</summary>
internal sealed record ChildMeasurement(int ExitCode, double Seconds, long PeakBytes);
