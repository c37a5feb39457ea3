using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OnnxLowRank.Bench;

/// <summary>Starts the programs the bench is made of as separate processes and keeps what they print for the log.</summary>
internal sealed class ChildProcesses(string scratch, TimeSpan limit, TextWriter log)
{
    private int _count;

    /// <summary>The dotnet host that runs this program (set by the SDK for dotnet run), else the one on PATH.</summary>
    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs one onnx-lowrank command in a child of its own; null when the child died before measuring.</summary>
    public (ChildMeasurement? Measurement, string Output) RunCli(IReadOnlyList<string> cliArgs)
    {
        var measurementPath = Path.Combine(scratch, $"child-{Interlocked.Increment(ref _count)}.json");
        var output = Run(DotnetHost, [Path.Combine(AppContext.BaseDirectory, "Bench.dll"), ChildRun.Verb, measurementPath, "--", .. cliArgs], out _);
        var measurement = File.Exists(measurementPath) ? JsonSerializer.Deserialize<ChildMeasurement>(File.ReadAllText(measurementPath)) : null;
        return (measurement, output);
    }

    /// <summary>Runs another .NET program built beside the bench (e.g. SpectraBenchmark.dll); its standard output and exit code.</summary>
    public (int ExitCode, string Output) RunDotnetProgram(string assemblyName, IReadOnlyList<string> args)
    {
        var output = Run(DotnetHost, [Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"), .. args], out var exitCode);
        return (exitCode, output);
    }

    /// <summary>Runs any program (the Python and shell scripts under tools/) in <paramref name="workingDirectory"/>.</summary>
    public (int ExitCode, string Output) RunProgram(string program, IReadOnlyList<string> args, string workingDirectory)
    {
        var output = Run(program, args, out var exitCode, workingDirectory);
        return (exitCode, output);
    }

    private string Run(string program, IReadOnlyList<string> args, out int exitCode, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var text = new StringBuilder();
        log.WriteLine($"$ {program} {string.Join(' ', args)}");
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            exitCode = -1;
            return $"{program} could not be started: {e.Message}";
        }
        using (process)
        {
            // Both streams drained as they come, so a chatty child never blocks on a full pipe.
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Append($"killed after the limit of {limit.TotalMinutes:0} minutes");
                exitCode = -1;
            }
            else
            {
                process.WaitForExit();
                exitCode = process.ExitCode;
            }
        }
        lock (text) return text.ToString();

        void Append(string? line)
        {
            if (line is null) return;
            lock (text) text.AppendLine(line);
            lock (log) log.WriteLine(line);
        }
    }
}
