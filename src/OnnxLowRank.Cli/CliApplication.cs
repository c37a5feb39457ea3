using System.CommandLine;
using System.Reflection;
using OnnxLowRank.Cli.Commands;
using OnnxLowRank.Cli.Terminal;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli;

/// <summary>
/// The command line: parses, runs one command, and turns every failure into a one-line message
/// on standard error and an <see cref="ExitCode"/>. The only place exceptions become messages.
/// </summary>
public static class CliApplication
{
    public static string Version { get; } =
        typeof(CliApplication).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool interactive)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bars or tables; errors only", Recursive = true };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Add the stack trace to error messages", Recursive = true };
        var root = new RootCommand("Compress ONNX models by low-rank factorization, and check the result.");
        root.Add(quiet);
        root.Add(verbose);

        var analyze = new AnalyzeCommand();
        Register(root, analyze.Build(), analyze.Execute);
        var compress = new CompressCommand();
        Register(root, compress.Build(), compress.Execute);
        var sweep = new SweepCommand();
        Register(root, sweep.Build(), sweep.Execute);
        var diff = new DiffCommand();
        Register(root, diff.Build(), diff.Execute);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line per error, as for every other failure: a list of allowed values comes on one line too.
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {OneLine(error.Message)}");
            stderr.WriteLine($"Run '{string.Join(" ", ["onnx-lowrank", .. CommandPath(parse)])} --help' for usage.");
            return ExitCode.BadInput;
        }
        var console = new ConsoleSession(stdout, stderr, interactive, parse.GetValue(quiet), parse.GetValue(verbose));
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(configuration);
        }
        catch (Exception e)
        {
            return Fail(console, e);
        }

        void Register(Command parent, Command command, Func<ParseResult, ConsoleSession, int> execute)
        {
            command.SetAction(result => execute(result, new ConsoleSession(stdout, stderr, interactive, result.GetValue(quiet), result.GetValue(verbose))));
            parent.Add(command);
        }
    }

    /// <summary>One line on standard error (the stack too with --verbose) and the exit code for the kind of failure.</summary>
    private static int Fail(ConsoleSession console, Exception e)
    {
        var (code, line) = e switch
        {
            OnnxRuntimeException ort => (ExitCode.RuntimeFailure, $"error: {ort.Message}"),
            OnnxLowRankException known => (ExitCode.BadInput, $"error: {known.Message}"),
            DllNotFoundException missing => (ExitCode.RuntimeFailure, $"error: the ONNX Runtime library could not be loaded: {missing.Message}"),
            _ => (ExitCode.RuntimeFailure, $"internal error: {e.GetType().Name}: {e.Message} (please report this; --verbose shows where)"),
        };
        // Engine messages can span lines; the contract is one line per failure.
        console.Error.WriteLine(OneLine(line));
        if (console.Verbose) console.Error.WriteLine(e.ToString());
        return code;
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // The subcommand names below the root, e.g. ["diff"].
    private static List<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result?.Parent is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, result.Command.Name);
        return names;
    }
}
