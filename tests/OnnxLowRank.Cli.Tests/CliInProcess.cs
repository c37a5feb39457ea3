namespace OnnxLowRank.Cli.Tests;

/// <summary>
/// The tool's entry point called in this process, as a user's command line: faster than <see cref="CliProcess"/>
/// where many commands run, with the same exit codes and output.
/// </summary>
internal static class CliInProcess
{
    public sealed record Outcome(int Exit, string Stdout, string Stderr);

    public static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliApplication.Run(args, stdout, stderr, interactive: false);
        return new Outcome(exit, stdout.ToString(), stderr.ToString());
    }
}
