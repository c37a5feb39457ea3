namespace OnnxLowRank.Bench;

/// <summary>
/// The generated part of docs/benchmarks.md: everything between the two markers is the bench's, the rest of
/// the file (sections written by hand, with their own commands) is left as it is.
/// </summary>
internal static class DocsBlock
{
    public const string Begin = "<!-- tools/Bench: begin (generated; rewritten by each full run) -->";
    public const string End = "<!-- tools/Bench: end -->";

    /// <summary>The corpus table's block in docs/reliability.md (rewritten by a full run and by --corpus).</summary>
    public const string CorpusBegin = "<!-- tools/Bench corpus: begin (generated; rewritten by each full run and by --corpus) -->";
    public const string CorpusEnd = "<!-- tools/Bench corpus: end -->";

    public static void Replace(string path, string content, string beginMarker = Begin, string endMarker = End)
    {
        var text = File.ReadAllText(path);
        var begin = text.IndexOf(beginMarker, StringComparison.Ordinal);
        var end = text.IndexOf(endMarker, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            throw new InvalidOperationException($"{path} has no '{beginMarker}' ... '{endMarker}' markers; put them where the bench's tables belong.");
        var updated = text[..(begin + beginMarker.Length)] + "\n\n" + content.TrimEnd() + "\n\n" + text[end..];
        // Written beside and moved into place, so an interrupted run never leaves half a document.
        var partial = path + ".partial";
        File.WriteAllText(partial, updated);
        File.Move(partial, path, overwrite: true);
    }
}
