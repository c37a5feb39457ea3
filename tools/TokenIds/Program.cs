// Tokenizes a text file with the tool's own tokenizer (TokenizerFile, as `--data TEXT --tokenizer VOCAB` does)
// and writes the ids as an int64 .npy of shape [lines, max-tokens], one non-blank line a row, in file order,
// each row padded with the tokenizer's padding id after its tokens. The causal model is trained on these rows,
// so it sees exactly the ids, special tokens and truncation that `onnx-lowrank ... --max-tokens N` feeds it.
//
//   dotnet run -c Release --project tools/TokenIds -- VOCAB TEXT OUT.npy [--max-tokens 128]

using System.Globalization;
using System.Text;
using OnnxLowRank.Core.Data;

if (args.Length is not (3 or 5) || (args.Length == 5 && args[3] != "--max-tokens"))
{
    Console.Error.WriteLine("usage: TokenIds VOCAB TEXT OUT.npy [--max-tokens N]");
    return 2;
}
var maxTokens = args.Length == 5 ? int.Parse(args[4], CultureInfo.InvariantCulture) : TextDataSource.DefaultMaxTokens;
var tokenizer = TokenizerFile.Load(args[0]);
var lines = TextDataSource.ReadLines(args[1]);
var rows = lines.Select(l => tokenizer.Encode(l, maxTokens)).ToList();

using var output = File.Create(args[2]);
WriteNpyHeader(output, rows.Count, maxTokens);
var buffer = new byte[maxTokens * sizeof(long)];
foreach (var row in rows)
{
    for (var t = 0; t < maxTokens; t++)
        BitConverter.TryWriteBytes(buffer.AsSpan(t * sizeof(long)), (long)(t < row.Length ? row[t] : tokenizer.PaddingId));
    output.Write(buffer);
}
// A WordPiece vocabulary's id of [UNK] is its line number; -1 (none) counts nothing.
var unknown = File.ReadLines(args[0]).ToList().IndexOf("[UNK]");
Console.WriteLine($"{rows.Count} lines, {rows.Sum(r => r.Length)} tokens ({rows.Sum(r => r.Count(id => id == unknown))} unknown), " +
                  $"{rows.Count(r => r.Length == maxTokens)} cut at {maxTokens}; padding id {tokenizer.PaddingId}, vocabulary {tokenizer.VocabularySize}");
return 0;

// The .npy format, version 1.0: magic, header length, a Python dict literal padded with spaces to a multiple of 64 bytes.
static void WriteNpyHeader(Stream stream, int rows, int columns)
{
    var dict = $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
    var length = dict.Length + 1;
    var padded = (10 + length + 63) / 64 * 64 - 10;
    var header = dict.PadRight(padded - 1) + "\n";
    stream.WriteByte(0x93);
    stream.Write("NUMPY"u8);
    stream.Write([1, 0, (byte)(padded & 0xff), (byte)(padded >> 8)]);
    stream.Write(Encoding.ASCII.GetBytes(header));
}
