using OnnxLowRank.Cli;

// Progress bars only on a real terminal: redirected output gets plain text.
var interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected;
return CliApplication.Run(args, Console.Out, Console.Error, interactive);
