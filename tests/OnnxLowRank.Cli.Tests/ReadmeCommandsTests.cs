using System.Diagnostics;

namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// README.md is the front door, so its commands are run as written: every `dotnet run ... --project
/// src/OnnxLowRank.Cli -- ARGS` line of its code blocks, in order, in one scratch folder that sees
/// the repository's models/ (outputs of one command feed the next). Only the launcher differs:
/// the already built tool stands in for `dotnet run`, which would rebuild the project.
/// </summary>
public class ReadmeCommandsTests
{
    private const string Launcher = "--project src/OnnxLowRank.Cli --";

    [Test]
    public void EveryReadmeCommandRunsAsWritten()
    {
        var commands = ReadmeCommands();
        Assert.That(commands, Has.Count.GreaterThanOrEqualTo(3), "README.md should show the main job and the other commands");

        var scratch = Directory.CreateTempSubdirectory("readme-commands-");
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(scratch.FullName, "models"), Path.Combine(RepositoryFiles.Root, "models"));
            foreach (var command in commands)
            {
                var args = command[(command.IndexOf(Launcher, StringComparison.Ordinal) + Launcher.Length)..]
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var outcome = Run(scratch.FullName, args);
                TestContext.Out.WriteLine($"$ onnx-lowrank {string.Join(" ", args)}\n{outcome.Stdout}");
                Assert.That(outcome.ExitCode, Is.Zero, $"README command failed: {command}\n{outcome}");
                foreach (var written in WrittenFiles(args))
                    Assert.That(File.Exists(Path.Combine(scratch.FullName, written)), $"'{command}' did not write {written}");
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Test]
    public void ReadmeGivesTheTestCommand()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));
        Assert.That(text, Does.Contain("dotnet test OnnxLowRank.sln -c Release"));
        Assert.That(File.ReadAllText(Path.Combine(RepositoryFiles.Root, ".ci", "run")), Does.Contain("dotnet test OnnxLowRank.sln -c Release"),
            "CI must run the README's test command");
    }

    /// <summary>The tool commands inside README.md's fenced code blocks, in order.</summary>
    private static List<string> ReadmeCommands()
    {
        var commands = new List<string>();
        var inBlock = false;
        foreach (var raw in File.ReadLines(Path.Combine(RepositoryFiles.Root, "README.md")))
        {
            var line = raw.Trim();
            if (line.StartsWith("```", StringComparison.Ordinal)) { inBlock = !inBlock; continue; }
            if (inBlock && line.StartsWith("dotnet run", StringComparison.Ordinal) && line.Contains(Launcher, StringComparison.Ordinal))
                commands.Add(line);
        }
        return commands;
    }

    /// <summary>The files a command promises: its -o/--output model and its --report.</summary>
    private static IEnumerable<string> WrittenFiles(string[] args)
    {
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] is "-o" or "--output" or "--report") yield return args[i + 1];
    }

    private static CliProcess.Outcome Run(string workingDirectory, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliProcess.ToolPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"onnx-lowrank {string.Join(" ", args)} did not finish in 5 minutes.");
        }
        return new CliProcess.Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }
}
