using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// Where a delegate is handed over to run as a concurrent callback: the call, object creation or event subscription
/// (<see cref="Operation"/>) and the API it goes to. Facts about how often and where its runs happen are derived from
/// here by <see cref="ConflictFinder"/>.
/// </summary>
internal sealed class Registration
{
    public Registration(ISymbol api, IOperation operation)
    {
        Api = api;
        Operation = operation;
    }

    /// <summary>The callback API: a method, constructor or event.</summary>
    public ISymbol Api { get; }

    /// <summary>The invocation, object creation or event assignment that registers the callback.</summary>
    public IOperation Operation { get; }

    /// <summary>How the delegate runs when it is handed over as work (EXEC002's sources); null for a callback (EXEC001's).</summary>
    public WorkSource? Work { get; set; }

    /// <summary>"callback" or "work", for messages.</summary>
    public string Noun => Work is null ? "callback" : "work";

    /// <summary>Another registration of the same method group in its type, when there is one (the method then runs for each).</summary>
    public Registration? Next { get; set; }

    /// <summary>
    /// The callback (or work) body whose access is being ordered, with the access itself: a wait is a join for that
    /// access only when this body signals the waited object after it (<see cref="ConflictFinder.IsJoin"/>). Null when
    /// the caller does not ask about one access (then any wait on an event, countdown, barrier or completion source
    /// counts, as before).
    /// </summary>
    public SyntaxNode? JoinRoot { get; private set; }

    /// <summary>The access in <see cref="JoinRoot"/> that a join must come after.</summary>
    public SyntaxNode? JoinAccess { get; private set; }

    /// <summary>This registration, asked about one access of the callback at <paramref name="root"/>.</summary>
    public Registration ForAccess(SyntaxNode root, SyntaxNode access)
        => new(Api, Operation) { Work = Work, Next = Next, JoinRoot = root, JoinAccess = access };

    /// <summary>This registration, not asked about one access.</summary>
    public Registration WithoutAccess()
        => JoinRoot is null ? this : new(Api, Operation) { Work = Work, Next = Next };

    /// <summary>The member (or compilation unit, for top-level statements) whose code registers the callback.</summary>
    public SyntaxNode? Member => SharedStateFacts.EnclosingMember(Operation.Syntax);

    /// <summary>The registration from the operation that contains a callback argument (or event handler), or null.</summary>
    public static Registration? Of(IOperation callbackValue, ISymbol api)
    {
        var current = callbackValue;
        while (current.Parent is IDelegateCreationOperation or IConversionOperation)
        {
            current = current.Parent;
        }

        return current.Parent switch
        {
            IArgumentOperation { Parent: { } call } => new Registration(api, call),
            IEventAssignmentOperation assignment => new Registration(api, assignment),
            _ => null,
        };
    }

    /// <summary>
    /// Whether the registration sits in a loop, or in a lambda that can run more than once, below
    /// <paramref name="scope"/> (a variable's declaration scope; null: up to the member).
    /// </summary>
    public bool IsRepeatedWithin(SyntaxNode? scope) => RepeatReason(scope) is not null;

    /// <summary>Why the registration can run more than once below <paramref name="scope"/>, or null.</summary>
    public string? RepeatReason(SyntaxNode? scope)
    {
        SyntaxNode? previous = null;
        for (var node = Operation.Syntax.Parent; node is not null; previous = node, node = node.Parent)
        {
            if (scope is not null && node == scope)
            {
                return null;
            }

            switch (node)
            {
                case ForStatementSyntax forStatement when previous != forStatement.Declaration && !(previous is ExpressionSyntax initializer && forStatement.Initializers.Contains(initializer)):
                case CommonForEachStatementSyntax forEach when previous == forEach.Statement:
                case WhileStatementSyntax:
                case DoStatementSyntax:
                    return "it is registered in a loop";
                case AnonymousFunctionExpressionSyntax:
                case LocalFunctionStatementSyntax:
                    return "it is registered by a lambda or local function that can run more than once";
                case MemberDeclarationSyntax or CompilationUnitSyntax:
                    return null;
            }
        }

        return null;
    }

    /// <summary>Whether the registering code runs once per object or per process: a constructor, an initializer, <c>Main</c>, top-level statements.</summary>
    public bool IsInOneTimeCode()
    {
        switch (Member)
        {
            case ConstructorDeclarationSyntax:
            case FieldDeclarationSyntax:
            case CompilationUnitSyntax:
            case PropertyDeclarationSyntax { Initializer: not null } property when property.Initializer.Span.Contains(Operation.Syntax.Span):
                return true;
            case MethodDeclarationSyntax method:
                return method.Identifier.ValueText == "Main" && method.Modifiers.Any(SyntaxKind.StaticKeyword);
            default:
                return false;
        }
    }

    /// <summary>A short name of the registering member for messages ("Run", "the constructor", "top-level code").</summary>
    public string MemberName => NameOf(Member);

    public static string NameOf(SyntaxNode? member) => member switch
    {
        MethodDeclarationSyntax method => method.Identifier.ValueText,
        ConstructorDeclarationSyntax => "the constructor",
        DestructorDeclarationSyntax => "the finalizer",
        PropertyDeclarationSyntax property => property.Identifier.ValueText,
        IndexerDeclarationSyntax => "the indexer",
        EventDeclarationSyntax @event => @event.Identifier.ValueText,
        OperatorDeclarationSyntax => "an operator",
        ConversionOperatorDeclarationSyntax => "a conversion",
        FieldDeclarationSyntax field when field.Declaration.Variables.Count > 0 => field.Declaration.Variables[0].Identifier.ValueText,
        CompilationUnitSyntax => "top-level code",
        _ => "another member",
    };
}
