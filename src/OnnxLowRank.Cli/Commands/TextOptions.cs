using System.CommandLine;
using OnnxLowRank.Core.Data;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// How text data (a .txt file or a folder of them, one sample a line) becomes token ids: the model's tokenizer and
/// the most tokens a sample keeps. One tokenizer serves every data set of a command (it belongs to the model).
/// </summary>
internal sealed class TextOptions
{
    public Option<string?> Tokenizer { get; } = new("--tokenizer")
    {
        Description = "Tokenizer for text data: a WordPiece vocab.txt (BERT's [CLS]/[SEP] added when it has them) or a BPE vocab.json",
        HelpName = "FILE",
    };

    public Option<string?> Merges { get; } = new("--merges")
    {
        Description = "The merges.txt of a BPE vocab.json (default: merges.txt beside it)",
        HelpName = "FILE",
    };

    public Option<int> MaxTokens { get; } = new Option<int>("--max-tokens")
    {
        Description = "Tokens per text sample at most, special tokens included; batches pad to their longest sample",
        DefaultValueFactory = _ => TextDataSource.DefaultMaxTokens,
        HelpName = "N",
    }.AtLeast(1);

    public void AddTo(Command command)
    {
        command.Add(Tokenizer);
        command.Add(Merges);
        command.Add(MaxTokens);
        command.Validators.Add(result =>
        {
            if (result.GetResult(Merges) is not null && result.GetResult(Tokenizer) is null) result.AddError("--merges needs --tokenizer vocab.json.");
        });
    }

    public DataSourceOptions Apply(ParseResult result, DataSourceOptions options) => options with
    {
        TokenizerPath = result.GetValue(Tokenizer),
        MergesPath = result.GetValue(Merges),
        MaxTokens = result.GetValue(MaxTokens),
    };
}
