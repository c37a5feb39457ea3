namespace OnnxLowRank.Core.Data;

/// <summary>What a token model's integer input carries, recognised by its name.</summary>
public enum TokenInputRole
{
    None,
    Ids,
    AttentionMask,
    TokenTypes,
    Positions,
}

/// <summary>
/// Names of a token model's inputs, matched case-insensitively and ignoring '_', '-', '.' and a ':0' suffix:
/// input_ids (ids, token_ids, tokens), attention_mask (input_mask, mask), token_type_ids (segment_ids, type_ids)
/// and position_ids (positions).
/// </summary>
public static class TokenInputs
{
    private static readonly Dictionary<string, TokenInputRole> Aliases = new(StringComparer.Ordinal)
    {
        ["inputids"] = TokenInputRole.Ids,
        ["ids"] = TokenInputRole.Ids,
        ["tokenids"] = TokenInputRole.Ids,
        ["tokens"] = TokenInputRole.Ids,
        ["attentionmask"] = TokenInputRole.AttentionMask,
        ["inputmask"] = TokenInputRole.AttentionMask,
        ["mask"] = TokenInputRole.AttentionMask,
        ["tokentypeids"] = TokenInputRole.TokenTypes,
        ["segmentids"] = TokenInputRole.TokenTypes,
        ["typeids"] = TokenInputRole.TokenTypes,
        ["positionids"] = TokenInputRole.Positions,
        ["positions"] = TokenInputRole.Positions,
    };

    public static TokenInputRole RoleOf(string name)
    {
        var key = name.EndsWith(":0", StringComparison.Ordinal) ? name[..^2] : name;
        key = new string(key.Where(c => c is not ('_' or '-' or '.')).ToArray()).ToLowerInvariant();
        return Aliases.GetValueOrDefault(key, TokenInputRole.None);
    }
}
