using System.Diagnostics;

namespace OnnxLowRank.Cli.Tests;

/// <summary>Runs the built tool as a separate process, the way a user or a script does: dotnet onnx-lowrank.dll ARGS.</summary>
internal static class CliProcess
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static string ToolPath => Path.Combine(Path.GetDirectoryName(typeof(CliApplication).Assembly.Location)!, "onnx-lowrank.dll");

    public static Outcome Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary>Runs with extra environment variables set for the tool's process.</summary>
    public static Outcome Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(ToolPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"onnx-lowrank {string.Join(" ", args)} did not finish in 2 minutes.");
        }
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }
}
