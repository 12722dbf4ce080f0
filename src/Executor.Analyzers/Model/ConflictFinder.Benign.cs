using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>Races by design that do no harm and are filtered: lazy initialization of a computed value, stores of the same constant, idempotent flags.</summary>
internal sealed partial class ConflictFinder
{
    private static bool IsLazyInitialization(CallbackFinding finding)
    {
        var access = finding.OriginAccess ?? finding.Access;
        if (finding.Symbol is not (IFieldSymbol or IPropertySymbol) || access is null)
        {
            return false;
        }

        IOperation? value;
        switch (access)
        {
            case ICoalesceAssignmentOperation coalesce when Refers(coalesce.Target, finding.Symbol):
                value = coalesce.Value;
                break;
            case ISimpleAssignmentOperation assignment when Refers(assignment.Target, finding.Symbol) && IsGuardedByNullCheck(assignment, finding.Symbol):
                value = assignment.Value;
                break;
            default:
                return false;
        }

        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is null || value.Type is not { IsReferenceType: true } type)
        {
            return false;
        }

        // The same value every time: computed from nothing the caller passes in ('_first ??= f.Result()' keeps whichever
        // callback came first, or not: a real race), and not a new object (a string is fine).
        if (DependsOnInput(value, depth: 0))
        {
            return false;
        }

        return value is not (IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation) || type.SpecialType == SpecialType.System_String;
    }

    /// <summary>Whether a value reads a parameter or <c>this</c>, directly or through the initializers of the locals it reads.</summary>
    private static bool DependsOnInput(IOperation value, int depth)
    {
        foreach (var part in value.DescendantsAndSelf())
        {
            switch (part)
            {
                case IParameterReferenceOperation:
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return true;
                case ILocalReferenceOperation local:
                    // A local of the same member computed from nothing the caller passes in ('var assembly = typeof(T).Assembly;').
                    if (depth > 2 || local.Local.DeclaringSyntaxReferences.Length != 1
                        || local.Local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer }
                        || value.SemanticModel?.GetOperation(initializer.Value) is not { } initial
                        || DependsOnInput(initial, depth + 1))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    private static bool Refers(IOperation target, ISymbol symbol)
        => ReferencedSymbol(target) is { } referenced && SymbolEqualityComparer.Default.Equals(referenced.OriginalDefinition, symbol.OriginalDefinition);

    private static bool IsGuardedByNullCheck(IOperation assignment, ISymbol symbol)
    {
        for (var current = assignment.Parent; current is not null and not IAnonymousFunctionOperation and not ILocalFunctionOperation; current = current.Parent)
        {
            if (current is IConditionalOperation conditional && IsNullCheckOf(conditional.Condition, symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNullCheckOf(IOperation condition, ISymbol symbol)
    {
        while (condition is IConversionOperation conversion)
        {
            condition = conversion.Operand;
        }

        return condition switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary
                => Refers(Strip(binary.LeftOperand), symbol) && IsNull(binary.RightOperand) || Refers(Strip(binary.RightOperand), symbol) && IsNull(binary.LeftOperand),
            IIsPatternOperation { Pattern: IConstantPatternOperation constant } pattern => Refers(Strip(pattern.Value), symbol) && IsNull(constant.Value),
            _ => false,
        };
    }

    private static IOperation Strip(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static bool IsNull(IOperation operation) => Strip(operation).ConstantValue is { HasValue: true, Value: null };

    /// <summary>
    /// A write of the same constant at every write site (an idempotent flag such as <c>s_failed = true</c>), and
    /// reads of such a flag: every interleaving leaves the same value.
    /// </summary>
    private static bool IsIdempotentFlag(CallbackFinding finding, List<StateAccess> accesses)
    {
        if (finding.Symbol is not IFieldSymbol and not IPropertySymbol and not ILocalSymbol)
        {
            return false;
        }

        if (!finding.Writes || !finding.HasConstant)
        {
            return false;
        }

        object? constant = finding.Constant;
        bool seen = true;
        foreach (var access in accesses)
        {
            if (!access.Writes || access.InConstruction)
            {
                continue;
            }

            if (access.Mode != AccessMode.Write || !access.HasConstant)
            {
                return false;
            }

            if (!seen)
            {
                constant = access.WrittenConstant;
                seen = true;
            }
            else if (!Equals(constant, access.WrittenConstant))
            {
                return false;
            }
        }

        return seen;
    }
}
