#include "core/localcloud/sql/sqlparser.h"

#include <QSet>

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud::Sql
{
    namespace
    {
        bool isIdentifierToken(const Token &token)
        {
            return token.type == TokenType::Identifier || token.type == TokenType::QuotedIdentifier;
        }

        class Parser
        {
        public:
            explicit Parser(const std::vector<Token> &tokens)
                : m_tokens {tokens}
            {
            }

            Result<SelectStatement> run()
            {
                SelectStatement statement;
                if (!parseStatement(statement))
                    return *m_error;
                statement.positionalParameterCount = m_positionalCount;
                return statement;
            }

        private:
            // Counts the recursion of the descent; every path that recurses goes through one of these.
            class DepthGuard
            {
            public:
                explicit DepthGuard(Parser &parser)
                    : m_parser {parser}
                {
                    ++m_parser.m_depth;
                }
                ~DepthGuard() { --m_parser.m_depth; }
                DepthGuard(const DepthGuard &) = delete;
                DepthGuard &operator=(const DepthGuard &) = delete;

            private:
                Parser &m_parser;
            };

            const Token &peek(int ahead = 0) const
            {
                const size_t index = std::min(m_index + size_t(ahead), m_tokens.size() - 1);
                return m_tokens[index];
            }

            const Token &advance()
            {
                const Token &token = m_tokens[m_index];
                if (m_index + 1 < m_tokens.size())
                    ++m_index;
                return token;
            }

            bool acceptKeyword(const char *keyword)
            {
                if (!peek().isKeyword(keyword))
                    return false;
                advance();
                return true;
            }

            bool acceptSymbol(const char *symbol)
            {
                if (!peek().isSymbol(symbol))
                    return false;
                advance();
                return true;
            }

            bool fail(const ApiError &error)
            {
                if (!m_error)
                    m_error = error;
                return false;
            }

            std::nullptr_t failNull(const ApiError &error)
            {
                fail(error);
                return nullptr;
            }

            ApiError unexpected(const Token &token) const
            {
                if (token.type == TokenType::End)
                    return syntaxError(u"Unexpected end of script"_s, token.pos);
                return syntaxError(u"Unexpected "_s + token.describe(), token.pos);
            }

            ApiError expected(const QString &what, const Token &token) const
            {
                return syntaxError(u"Expected %1 but got %2"_s.arg(what, token.describe()), token.pos);
            }

            bool expectSymbol(const char *symbol)
            {
                if (acceptSymbol(symbol))
                    return true;
                return fail(expected(u"\"%1\""_s.arg(QLatin1StringView(symbol)), peek()));
            }

            bool expectKeyword(const char *keyword)
            {
                if (acceptKeyword(keyword))
                    return true;
                return fail(expected(u"keyword %1"_s.arg(QLatin1StringView(keyword)), peek()));
            }

            bool tooDeep(SourcePos pos)
            {
                if (m_depth <= MAX_EXPRESSION_DEPTH)
                    return false;
                return failTooDeep(pos);
            }

            Q_NEVER_INLINE bool failTooDeep(SourcePos pos)
            {
                fail(invalidQuery(u"Expression is nested more than %1 levels deep"_s.arg(MAX_EXPRESSION_DEPTH), pos));
                return true;
            }

            Q_NEVER_INLINE std::nullptr_t failUnsupportedToken(const char *what, const Token &token)
            {
                return failNull(unsupported(QLatin1StringView(what) + token.text, token.pos));
            }

            ExprPtr makeNode(ExprKind kind, SourcePos pos)
            {
                auto node = std::make_unique<Expr>();
                node->kind = kind;
                node->pos = pos;
                return node;
            }

            // Sets the node's depth from its children; refuses trees deeper than the limit (chains such as
            // a+b+c+... are built in loops, so the recursion guard alone does not bound them).
            ExprPtr finish(ExprPtr node)
            {
                int depth = 0;
                for (const ExprPtr &arg : node->args)
                    depth = std::max(depth, arg->depth);
                node->depth = depth + 1;
                if (node->depth > MAX_EXPRESSION_DEPTH) {
                    failTooDeep(node->pos);
                    return nullptr;
                }
                return node;
            }

            // ---- statement ---------------------------------------------------------------------------

            bool parseStatement(SelectStatement &statement)
            {
                const Token &first = peek();
                if (first.isKeyword("WITH"))
                    return fail(unsupported(u"WITH clause"_s, first.pos));
                if (first.isSymbol("("))
                    return fail(unsupported(u"parenthesized query"_s, first.pos));
                if (!first.isKeyword("SELECT")) {
                    static const QSet<QString> dml {u"INSERT"_s, u"UPDATE"_s, u"DELETE"_s, u"MERGE"_s, u"TRUNCATE"_s};
                    static const QSet<QString> ddl {u"CREATE"_s, u"DROP"_s, u"ALTER"_s, u"UNDROP"_s, u"RENAME"_s};
                    static const QSet<QString> other {u"DECLARE"_s, u"SET"_s, u"BEGIN"_s, u"IF"_s, u"CALL"_s,
                                                      u"EXECUTE"_s, u"EXPORT"_s, u"LOAD"_s, u"ASSERT"_s, u"GRANT"_s,
                                                      u"REVOKE"_s, u"RAISE"_s, u"LOOP"_s, u"WHILE"_s, u"REPEAT"_s,
                                                      u"FOR"_s, u"RETURN"_s, u"COMMIT"_s, u"ROLLBACK"_s,
                                                      u"EXPLAIN"_s, u"DESCRIBE"_s, u"SHOW"_s, u"FROM"_s};
                    if (first.type == TokenType::Identifier || first.type == TokenType::Keyword) {
                        const QString word = first.text.toUpper();
                        if (dml.contains(word))
                            return fail(unsupported(u"DML statement %1"_s.arg(word), first.pos));
                        if (ddl.contains(word))
                            return fail(unsupported(u"DDL statement %1"_s.arg(word), first.pos));
                        if (word == u"FROM"_s)
                            return fail(unsupported(u"pipe syntax (FROM first)"_s, first.pos));
                        if (other.contains(word))
                            return fail(unsupported(u"%1 statement"_s.arg(word), first.pos));
                    }
                    return fail(unexpected(first));
                }
                if (!parseSelect(statement))
                    return false;
                checkSetOperation();
                if (m_error)
                    return false;
                if (acceptSymbol(";")) {
                    if (peek().type != TokenType::End)
                        return fail(unsupported(u"multi-statement script"_s, peek().pos));
                }
                if (peek().type != TokenType::End)
                    return fail(expected(u"end of input"_s, peek()));
                return true;
            }

            void checkSetOperation()
            {
                const Token &token = peek();
                if (token.isKeyword("UNION") || token.isKeyword("INTERSECT") || token.isKeyword("EXCEPT"))
                    fail(unsupported(token.text + u" (set operations)"_s, token.pos));
                else if (token.isSymbol("|>"))
                    fail(unsupported(u"pipe syntax"_s, token.pos));
            }

            bool parseSelect(SelectStatement &statement)
            {
                statement.pos = advance().pos;   // SELECT
                if (acceptKeyword("DISTINCT"))
                    statement.distinct = true;
                else
                    acceptKeyword("ALL");
                if (peek().isKeyword("AS")) {
                    const Token &as = advance();
                    if (peek().isKeyword("STRUCT") || peek().isIdentifier("VALUE"))
                        return fail(unsupported(u"SELECT AS %1"_s.arg(peek().text.toUpper()), as.pos));
                    return fail(unexpected(as));
                }
                while (true) {
                    SelectItem item;
                    if (!parseSelectItem(item))
                        return false;
                    statement.items.push_back(std::move(item));
                    if (!acceptSymbol(","))
                        break;
                    // BigQuery accepts a trailing comma after the last item
                    const Token &next = peek();
                    if (next.isKeyword("FROM") || next.type == TokenType::End || next.isSymbol(";"))
                        break;
                }
                if (acceptKeyword("FROM")) {
                    if (!parseFrom(statement.from))
                        return false;
                }
                if (acceptKeyword("WHERE")) {
                    statement.where = parseExpr();
                    if (!statement.where)
                        return false;
                }
                if (peek().isKeyword("GROUP")) {
                    const Token &group = advance();
                    if (!expectKeyword("BY"))
                        return false;
                    const Token &next = peek();
                    if (next.isKeyword("ROLLUP") || next.isKeyword("CUBE") || next.isKeyword("GROUPING") || next.isKeyword("ALL"))
                        return fail(unsupported(u"GROUP BY %1"_s.arg(next.text), next.pos));
                    if (next.isSymbol("(") && peek(1).isSymbol(")"))
                        return fail(unsupported(u"GROUP BY ()"_s, group.pos));
                    while (true) {
                        ExprPtr key = parseExpr();
                        if (!key)
                            return false;
                        statement.groupBy.push_back(std::move(key));
                        if (!acceptSymbol(","))
                            break;
                    }
                }
                if (acceptKeyword("HAVING")) {
                    statement.having = parseExpr();
                    if (!statement.having)
                        return false;
                }
                if (peek().isKeyword("QUALIFY"))
                    return fail(unsupported(u"QUALIFY"_s, peek().pos));
                if (peek().isKeyword("WINDOW"))
                    return fail(unsupported(u"WINDOW clause"_s, peek().pos));
                checkSetOperation();
                if (m_error)
                    return false;
                if (peek().isKeyword("ORDER")) {
                    advance();
                    if (!expectKeyword("BY"))
                        return false;
                    while (true) {
                        OrderItem item;
                        item.expr = parseExpr();
                        if (!item.expr)
                            return false;
                        if (peek().isKeyword("COLLATE"))
                            return fail(unsupported(u"COLLATE"_s, peek().pos));
                        if (acceptKeyword("DESC"))
                            item.descending = true;
                        else
                            acceptKeyword("ASC");
                        if (acceptKeyword("NULLS")) {
                            if (peek().isIdentifier("FIRST"))
                                item.nulls = NullsOrder::First;
                            else if (peek().isIdentifier("LAST"))
                                item.nulls = NullsOrder::Last;
                            else
                                return fail(expected(u"FIRST or LAST"_s, peek()));
                            advance();
                        }
                        statement.orderBy.push_back(std::move(item));
                        if (!acceptSymbol(","))
                            break;
                    }
                }
                if (acceptKeyword("LIMIT")) {
                    statement.limit = parseExpr();
                    if (!statement.limit)
                        return false;
                    if (peek().isIdentifier("OFFSET")) {
                        advance();
                        statement.offset = parseExpr();
                        if (!statement.offset)
                            return false;
                    }
                }
                return true;
            }

            bool parseSelectItem(SelectItem &item)
            {
                const Token &first = peek();
                item.pos = first.pos;
                // `*` or `path.*`
                int ahead = 0;
                QStringList qualifier;
                if (!first.isSymbol("*")) {
                    while (isIdentifierToken(peek(ahead)) && peek(ahead + 1).isSymbol(".")) {
                        qualifier.append(peek(ahead).text);
                        ahead += 2;
                    }
                }
                if (peek(ahead).isSymbol("*") && (ahead == 0 || !qualifier.isEmpty())) {
                    for (int i = 0; i <= ahead; ++i)
                        advance();
                    item.isStar = true;
                    item.starQualifier = qualifier.join(u'.');
                    item.starQualifierPos = first.pos;
                    if (peek().isKeyword("EXCEPT") && peek(1).isSymbol("(")) {
                        advance();
                        advance();
                        while (true) {
                            const Token &name = peek();
                            if (!isIdentifierToken(name))
                                return fail(expected(u"identifier"_s, name));
                            item.exceptColumns.append(name.text);
                            item.exceptPos.append(name.pos);
                            advance();
                            if (!acceptSymbol(","))
                                break;
                        }
                        if (!expectSymbol(")"))
                            return false;
                    }
                    if (peek().isIdentifier("REPLACE") && peek(1).isSymbol("("))
                        return fail(unsupported(u"SELECT * REPLACE"_s, peek().pos));
                    return true;
                }
                item.expr = parseExpr();
                if (!item.expr)
                    return false;
                if (acceptKeyword("AS")) {
                    if (!isIdentifierToken(peek()))
                        return fail(expected(u"identifier"_s, peek()));
                    item.alias = advance().text;
                } else if (isIdentifierToken(peek())) {
                    item.alias = advance().text;
                }
                return true;
            }

            bool parseFrom(TableRef &table)
            {
                const Token &first = peek();
                table.present = true;
                table.pos = first.pos;
                if (first.isSymbol("("))
                    return fail(unsupported(u"subquery or parenthesized join in FROM"_s, first.pos));
                if (first.isKeyword("UNNEST"))
                    return fail(unsupported(u"UNNEST"_s, first.pos));
                if (first.isSymbol("["))
                    return fail(unsupported(u"array literal"_s, first.pos));
                if (!isIdentifierToken(first))
                    return fail(unexpected(first));
                if (!parseTablePath(table))
                    return false;
                const Token &afterPath = peek();
                if (afterPath.isSymbol("("))
                    return fail(unsupported(u"table-valued function"_s, afterPath.pos));
                if (afterPath.isSymbol("*"))
                    return fail(unsupported(u"wildcard table"_s, afterPath.pos));
                if (afterPath.isKeyword("FOR"))
                    return fail(unsupported(u"FOR SYSTEM_TIME AS OF"_s, afterPath.pos));
                if (!checkAfterTable())
                    return false;
                if (acceptKeyword("AS")) {
                    if (!isIdentifierToken(peek()))
                        return fail(expected(u"identifier"_s, peek()));
                    table.alias = advance().text;
                } else if (isIdentifierToken(peek()) && !peek(1).isSymbol("(")) {
                    table.alias = advance().text;
                }
                if (!checkAfterTable())
                    return false;
                const Token &next = peek();
                if (next.isSymbol(","))
                    return fail(unsupported(u"JOIN (comma cross join)"_s, next.pos));
                static const char *const joinWords[] = {"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "OUTER"};
                for (const char *word : joinWords) {
                    if (next.isKeyword(word))
                        return fail(unsupported(u"JOIN"_s, next.pos));
                }
                return true;
            }

            bool checkAfterTable()
            {
                const Token &token = peek();
                if (token.isKeyword("TABLESAMPLE"))
                    return fail(unsupported(u"TABLESAMPLE"_s, token.pos));
                if ((token.isIdentifier("PIVOT") || token.isIdentifier("UNPIVOT") || token.isIdentifier("MATCH_RECOGNIZE")) && peek(1).isSymbol("("))
                    return fail(unsupported(token.text.toUpper(), token.pos));
                if (token.isKeyword("WITH") && peek(1).isIdentifier("OFFSET"))
                    return fail(unsupported(u"WITH OFFSET"_s, token.pos));
                return true;
            }

            // project.dataset.table in any mix of backticked and bare parts; an unquoted project id may
            // contain dashes (my-project.ds.t), which the lexer splits and we glue back.
            bool parseTablePath(TableRef &table)
            {
                QStringList parts;
                while (true) {
                    const Token &token = advance();
                    if (token.type == TokenType::QuotedIdentifier) {
                        const QStringList split = token.text.split(u'.');
                        for (const QString &part : split) {
                            if (part.isEmpty())
                                return fail(invalidQuery(u"Invalid table name: `%1`"_s.arg(token.text), token.pos));
                            parts.append(part);
                        }
                    } else {
                        QString part = token.text;
                        int end = token.end;
                        while (peek().isSymbol("-") && peek().begin == end
                               && (peek(1).type == TokenType::Identifier || peek(1).type == TokenType::Integer)
                               && peek(1).begin == peek().end) {
                            advance();
                            const Token &piece = advance();
                            part += u'-' + piece.text;
                            end = piece.end;
                        }
                        parts.append(part);
                    }
                    if (!peek().isSymbol("."))
                        break;
                    if (peek(1).isSymbol("*"))
                        return fail(unsupported(u"wildcard table"_s, peek(1).pos));
                    advance();
                    const Token &nextPart = peek();
                    if (!isIdentifierToken(nextPart) && nextPart.type != TokenType::Keyword)
                        return fail(expected(u"identifier"_s, nextPart));
                }
                for (const QString &part : parts) {
                    if (part.compare(u"INFORMATION_SCHEMA"_s, Qt::CaseInsensitive) == 0)
                        return fail(unsupported(u"INFORMATION_SCHEMA"_s, table.pos));
                    if (part.contains(u'*'))
                        return fail(unsupported(u"wildcard table"_s, table.pos));
                }
                if (parts.size() > 3) {
                    // a domain-scoped project id (example.com:project) has a dot of its own
                    const QStringList project = parts.mid(0, parts.size() - 2);
                    parts = QStringList {project.join(u'.'), parts[parts.size() - 2], parts.last()};
                }
                table.path = parts;
                return true;
            }

            // ---- expressions -------------------------------------------------------------------------

            ExprPtr parseExpr()
            {
                DepthGuard guard(*this);
                if (tooDeep(peek().pos))
                    return nullptr;
                return parseOr();
            }

            ExprPtr parseOr()
            {
                ExprPtr left = parseAnd();
                if (!left || !peek().isKeyword("OR"))
                    return left;
                ExprPtr node = makeNode(ExprKind::Or, left->pos);
                node->args.push_back(std::move(left));
                while (acceptKeyword("OR")) {
                    ExprPtr right = parseAnd();
                    if (!right)
                        return nullptr;
                    node->args.push_back(std::move(right));
                }
                return finish(std::move(node));
            }

            ExprPtr parseAnd()
            {
                ExprPtr left = parseNot();
                if (!left || !peek().isKeyword("AND"))
                    return left;
                ExprPtr node = makeNode(ExprKind::And, left->pos);
                node->args.push_back(std::move(left));
                while (acceptKeyword("AND")) {
                    ExprPtr right = parseNot();
                    if (!right)
                        return nullptr;
                    node->args.push_back(std::move(right));
                }
                return finish(std::move(node));
            }

            ExprPtr parseNot()
            {
                if (!peek().isKeyword("NOT"))
                    return parseComparison();
                DepthGuard guard(*this);
                const Token &notToken = advance();
                if (tooDeep(notToken.pos))
                    return nullptr;
                ExprPtr operand = parseNot();
                if (!operand)
                    return nullptr;
                ExprPtr node = makeNode(ExprKind::Not, notToken.pos);
                node->args.push_back(std::move(operand));
                return finish(std::move(node));
            }

            ExprPtr parseComparison()
            {
                ExprPtr left = parseBitwise();
                if (!left)
                    return nullptr;
                const Token &token = peek();
                if (token.type != TokenType::Symbol && token.type != TokenType::Keyword)
                    return left;
                return parseComparisonRest(std::move(left));
            }

            Q_NEVER_INLINE ExprPtr parseComparisonRest(ExprPtr left)
            {
                const Token &token = peek();
                static const QHash<QString, BinaryOp> comparisons {
                    {u"="_s, BinaryOp::Equal},      {u"!="_s, BinaryOp::NotEqual},  {u"<>"_s, BinaryOp::NotEqual},
                    {u"<"_s, BinaryOp::Less},       {u"<="_s, BinaryOp::LessEqual}, {u">"_s, BinaryOp::Greater},
                    {u">="_s, BinaryOp::GreaterEqual},
                };
                if (token.type == TokenType::Symbol && comparisons.contains(token.text)) {
                    advance();
                    ExprPtr right = parseBitwise();
                    if (!right)
                        return nullptr;
                    ExprPtr node = makeNode(ExprKind::Binary, left->pos);
                    node->binaryOp = comparisons.value(token.text);
                    node->args.push_back(std::move(left));
                    node->args.push_back(std::move(right));
                    return finish(std::move(node));
                }
                bool negated = false;
                if (token.isKeyword("NOT") && (peek(1).isKeyword("IN") || peek(1).isKeyword("LIKE") || peek(1).isKeyword("BETWEEN"))) {
                    advance();
                    negated = true;
                }
                const Token &op = peek();
                if (op.isKeyword("IN"))
                    return parseIn(std::move(left), negated);
                if (op.isKeyword("LIKE")) {
                    advance();
                    if (peek().isKeyword("ANY") || peek().isKeyword("SOME") || peek().isKeyword("ALL"))
                        return failNull(unsupported(u"LIKE %1"_s.arg(peek().text), op.pos));
                    ExprPtr pattern = parseBitwise();
                    if (!pattern)
                        return nullptr;
                    ExprPtr node = makeNode(ExprKind::Like, left->pos);
                    node->negated = negated;
                    node->args.push_back(std::move(left));
                    node->args.push_back(std::move(pattern));
                    return finish(std::move(node));
                }
                if (op.isKeyword("BETWEEN")) {
                    advance();
                    ExprPtr low = parseBitwise();
                    if (!low || !expectKeyword("AND"))
                        return nullptr;
                    ExprPtr high = parseBitwise();
                    if (!high)
                        return nullptr;
                    ExprPtr node = makeNode(ExprKind::Between, left->pos);
                    node->negated = negated;
                    node->args.push_back(std::move(left));
                    node->args.push_back(std::move(low));
                    node->args.push_back(std::move(high));
                    return finish(std::move(node));
                }
                if (op.isKeyword("IS")) {
                    advance();
                    const bool isNot = acceptKeyword("NOT");
                    const Token &what = peek();
                    ExprPtr node;
                    if (what.isKeyword("NULL")) {
                        advance();
                        node = makeNode(ExprKind::IsNull, left->pos);
                    } else if (what.isKeyword("TRUE") || what.isKeyword("FALSE")) {
                        advance();
                        node = makeNode(ExprKind::IsBool, left->pos);
                        node->boolValue = what.isKeyword("TRUE");
                    } else if (what.isKeyword("DISTINCT")) {
                        advance();
                        if (!expectKeyword("FROM"))
                            return nullptr;
                        ExprPtr right = parseBitwise();
                        if (!right)
                            return nullptr;
                        node = makeNode(ExprKind::IsDistinct, left->pos);
                        node->args.push_back(std::move(left));
                        node->args.push_back(std::move(right));
                        node->negated = isNot;
                        return finish(std::move(node));
                    } else {
                        return failNull(expected(u"NULL, TRUE, FALSE or DISTINCT FROM"_s, what));
                    }
                    node->negated = isNot;
                    node->args.push_back(std::move(left));
                    return finish(std::move(node));
                }
                if (negated)
                    return failNull(unexpected(op));
                return left;
            }

            ExprPtr parseIn(ExprPtr left, bool negated)
            {
                advance();   // IN
                if (peek().isKeyword("UNNEST"))
                    return failNull(unsupported(u"IN UNNEST"_s, peek().pos));
                if (!peek().isSymbol("("))
                    return failNull(expected(u"\"(\""_s, peek()));
                if (peek(1).isKeyword("SELECT") || peek(1).isKeyword("WITH"))
                    return failNull(unsupported(u"IN subquery"_s, peek(1).pos));
                advance();
                ExprPtr node = makeNode(ExprKind::In, left->pos);
                node->negated = negated;
                node->args.push_back(std::move(left));
                while (true) {
                    ExprPtr item = parseExpr();
                    if (!item)
                        return nullptr;
                    node->args.push_back(std::move(item));
                    if (!acceptSymbol(","))
                        break;
                }
                if (!expectSymbol(")"))
                    return nullptr;
                return finish(std::move(node));
            }

            ExprPtr parseBitwise()
            {
                ExprPtr left = parseAdditive();
                if (!left)
                    return nullptr;
                const Token &token = peek();
                if (token.isSymbol("|") || token.isSymbol("&") || token.isSymbol("^") || token.isSymbol("<<") || token.isSymbol(">>"))
                    return failUnsupportedToken("bitwise operator ", token);
                return left;
            }

            ExprPtr parseAdditive()
            {
                ExprPtr left = parseMultiplicative();
                while (left && (peek().isSymbol("+") || peek().isSymbol("-"))) {
                    const Token &op = advance();
                    ExprPtr right = parseMultiplicative();
                    if (!right)
                        return nullptr;
                    ExprPtr node = makeNode(ExprKind::Binary, left->pos);
                    node->binaryOp = op.isSymbol("+") ? BinaryOp::Add : BinaryOp::Subtract;
                    node->args.push_back(std::move(left));
                    node->args.push_back(std::move(right));
                    left = finish(std::move(node));
                }
                return left;
            }

            ExprPtr parseMultiplicative()
            {
                ExprPtr left = parseUnary();
                while (left && (peek().isSymbol("*") || peek().isSymbol("/") || peek().isSymbol("||"))) {
                    const Token &op = advance();
                    ExprPtr right = parseUnary();
                    if (!right)
                        return nullptr;
                    ExprPtr node = makeNode(ExprKind::Binary, left->pos);
                    node->binaryOp = op.isSymbol("*") ? BinaryOp::Multiply : op.isSymbol("/") ? BinaryOp::Divide : BinaryOp::Concat;
                    node->args.push_back(std::move(left));
                    node->args.push_back(std::move(right));
                    left = finish(std::move(node));
                }
                return left;
            }

            ExprPtr parseUnary()
            {
                const Token &token = peek();
                if (token.isSymbol("~"))
                    return failUnsupportedToken("bitwise operator ", token);
                if (!token.isSymbol("-") && !token.isSymbol("+"))
                    return parsePostfix();
                DepthGuard guard(*this);
                advance();
                if (tooDeep(token.pos))
                    return nullptr;
                // -9223372036854775808 only exists as a literal with its sign
                if (token.isSymbol("-") && (peek().type == TokenType::Integer || peek().type == TokenType::Float))
                    return parseNegativeLiteral(token.pos);
                ExprPtr operand = parseUnary();
                if (!operand)
                    return nullptr;
                ExprPtr node = makeNode(ExprKind::Unary, token.pos);
                node->unaryOp = token.isSymbol("-") ? UnaryOp::Minus : UnaryOp::Plus;
                node->args.push_back(std::move(operand));
                return finish(std::move(node));
            }

            Q_NEVER_INLINE ExprPtr parseNegativeLiteral(SourcePos minus)
            {
                const Token &literal = advance();
                ExprPtr node = makeNode(literal.type == TokenType::Integer ? ExprKind::IntLiteral : ExprKind::FloatLiteral, minus);
                node->text = u'-' + literal.text;
                return finishPostfix(std::move(node));
            }

            ExprPtr parsePostfix()
            {
                ExprPtr node = parsePrimary();
                if (!node)
                    return nullptr;
                return finishPostfix(std::move(node));
            }

            ExprPtr finishPostfix(ExprPtr node)
            {
                const Token &token = peek();
                if (token.type != TokenType::Symbol)
                    return node;
                return checkPostfix(std::move(node));
            }

            Q_NEVER_INLINE ExprPtr checkPostfix(ExprPtr node)
            {
                const Token &token = peek();
                if (token.isSymbol("["))
                    return failNull(unsupported(u"array subscript"_s, token.pos));
                if (token.isSymbol(".")) {
                    if (node->kind == ExprKind::NamedParameter || node->kind == ExprKind::PositionalParameter)
                        return failNull(unsupported(u"STRUCT parameter field access"_s, token.pos));
                    return failNull(unsupported(u"field access on an expression"_s, token.pos));
                }
                return node;
            }

            // The descent recurses through parsePrimary and the operator levels for every nesting level, so these
            // stay small and everything else is out of line: 200 levels must fit a worker thread's stack.
            ExprPtr parsePrimary()
            {
                const Token &token = peek();
                if (token.isSymbol("("))
                    return parseParenthesized();
                if (token.type == TokenType::Identifier || token.type == TokenType::QuotedIdentifier)
                    return parseIdentifierPrimary();
                if (token.type == TokenType::Keyword)
                    return parseKeywordPrimary();
                return parseOtherPrimary();
            }

            Q_NEVER_INLINE ExprPtr parseOtherPrimary()
            {
                const Token &token = peek();
                switch (token.type) {
                case TokenType::Integer:
                case TokenType::Float: {
                    advance();
                    ExprPtr node = makeNode(token.type == TokenType::Integer ? ExprKind::IntLiteral : ExprKind::FloatLiteral, token.pos);
                    node->text = token.text;
                    return node;
                }
                case TokenType::String: {
                    advance();
                    ExprPtr node = makeNode(ExprKind::StringLiteral, token.pos);
                    node->text = token.text;
                    return node;
                }
                case TokenType::Bytes: {
                    advance();
                    ExprPtr node = makeNode(ExprKind::BytesLiteral, token.pos);
                    node->bytes = token.bytes;
                    return node;
                }
                case TokenType::NamedParameter: {
                    advance();
                    ExprPtr node = makeNode(ExprKind::NamedParameter, token.pos);
                    node->name = token.text;
                    return node;
                }
                case TokenType::PositionalParameter: {
                    advance();
                    ExprPtr node = makeNode(ExprKind::PositionalParameter, token.pos);
                    node->parameterIndex = m_positionalCount++;
                    return node;
                }
                case TokenType::SystemVariable:
                    return failNull(unsupported(u"system variable @@%1"_s.arg(token.text), token.pos));
                case TokenType::Keyword:
                    return parseKeywordPrimary();
                case TokenType::Symbol:
                    if (token.isSymbol("("))
                        return parseParenthesized();
                    if (token.isSymbol("["))
                        return failNull(unsupported(u"array literal"_s, token.pos));
                    return failNull(unexpected(token));
                case TokenType::Identifier:
                case TokenType::QuotedIdentifier:
                    return parseIdentifierPrimary();
                case TokenType::End:
                    return failNull(unexpected(token));
                }
                return failNull(unexpected(token));
            }

            Q_NEVER_INLINE ExprPtr parseParenthesized()
            {
                const Token &open = advance();
                if (peek().isKeyword("SELECT") || peek().isKeyword("WITH"))
                    return failNull(unsupported(u"subquery"_s, peek().pos));
                ExprPtr inner = parseExpr();
                if (!inner)
                    return nullptr;
                if (peek().isSymbol(","))
                    return failNull(unsupported(u"STRUCT constructor (tuple)"_s, open.pos));
                if (!expectSymbol(")"))
                    return nullptr;
                return inner;
            }

            Q_NEVER_INLINE ExprPtr parseKeywordPrimary()
            {
                const Token &token = peek();
                if (token.isKeyword("TRUE") || token.isKeyword("FALSE")) {
                    advance();
                    ExprPtr node = makeNode(ExprKind::BoolLiteral, token.pos);
                    node->boolValue = token.isKeyword("TRUE");
                    return node;
                }
                if (token.isKeyword("NULL")) {
                    advance();
                    return makeNode(ExprKind::NullLiteral, token.pos);
                }
                if (token.isKeyword("CAST"))
                    return parseCast();
                if (token.isKeyword("INTERVAL"))
                    return parseInterval();
                if (token.isKeyword("CASE"))
                    return failNull(unsupported(u"CASE expression"_s, token.pos));
                if (token.isKeyword("EXISTS"))
                    return failNull(unsupported(u"EXISTS subquery"_s, token.pos));
                if (token.isKeyword("ARRAY"))
                    return failNull(unsupported(u"ARRAY"_s, token.pos));
                if (token.isKeyword("STRUCT"))
                    return failNull(unsupported(u"STRUCT"_s, token.pos));
                if (token.isKeyword("EXTRACT"))
                    return failNull(unsupported(u"EXTRACT"_s, token.pos));
                if (token.isKeyword("RANGE"))
                    return failNull(unsupported(u"RANGE"_s, token.pos));
                if (token.isKeyword("NEW"))
                    return failNull(unsupported(u"NEW"_s, token.pos));
                if (peek(1).isSymbol("("))
                    return failNull(unsupported(u"function %1"_s.arg(token.text), token.pos));
                return failNull(unexpected(token));
            }

            Q_NEVER_INLINE ExprPtr parseIdentifierPrimary()
            {
                const Token &first = peek();
                if (first.type == TokenType::Identifier) {
                    static const QHash<QString, QString> typedLiterals {
                        {u"TIMESTAMP"_s, u"TIMESTAMP"_s}, {u"DATE"_s, u"DATE"_s}, {u"DATETIME"_s, u"DATETIME"_s},
                        {u"TIME"_s, u"TIME"_s}, {u"NUMERIC"_s, u"NUMERIC"_s}, {u"DECIMAL"_s, u"NUMERIC"_s},
                        {u"BIGNUMERIC"_s, u"BIGNUMERIC"_s}, {u"BIGDECIMAL"_s, u"BIGNUMERIC"_s}, {u"JSON"_s, u"JSON"_s},
                    };
                    const QString upper = first.text.toUpper();
                    if (peek(1).type == TokenType::String && typedLiterals.contains(upper)) {
                        advance();
                        const Token &value = advance();
                        ExprPtr node = makeNode(ExprKind::TypedLiteral, first.pos);
                        node->name = typedLiterals.value(upper);
                        node->text = value.text;
                        return node;
                    }
                    if (upper == u"SAFE_CAST"_s && peek(1).isSymbol("("))
                        return failNull(unsupported(u"SAFE_CAST"_s, first.pos));
                }
                ExprPtr node = makeNode(ExprKind::Path, first.pos);
                node->path.append(advance().text);
                node->pathPos.append(first.pos);
                while (peek().isSymbol(".") && !peek(1).isSymbol("*")) {
                    const Token &part = peek(1);
                    if (!isIdentifierToken(part) && part.type != TokenType::Keyword)
                        break;
                    advance();
                    advance();
                    node->path.append(part.text);
                    node->pathPos.append(part.pos);
                }
                if (peek().isSymbol("("))
                    return parseFunctionCall(std::move(node));
                if (node->path.size() == 1 && first.type == TokenType::Identifier) {
                    static const QSet<QString> niladic {u"CURRENT_TIMESTAMP"_s, u"CURRENT_DATE"_s, u"CURRENT_DATETIME"_s, u"CURRENT_TIME"_s};
                    const QString upper = first.text.toUpper();
                    if (niladic.contains(upper)) {
                        node->kind = ExprKind::Function;
                        node->name = upper;
                        node->path.clear();
                        node->pathPos.clear();
                    }
                }
                return node;
            }

            Q_NEVER_INLINE ExprPtr parseFunctionCall(ExprPtr node)
            {
                DepthGuard guard(*this);
                if (tooDeep(node->pos))
                    return nullptr;
                node->kind = ExprKind::Function;
                node->name = node->path.join(u'.').toUpper();
                node->path.clear();
                node->pathPos.clear();
                advance();   // (
                if (!acceptSymbol(")")) {
                    if (acceptKeyword("DISTINCT"))
                        node->distinct = true;
                    if (peek().isSymbol("*") && peek(1).isSymbol(")")) {
                        advance();
                        node->star = true;
                    } else {
                        while (true) {
                            if (isIdentifierToken(peek()) && peek(1).isSymbol("=>"))
                                return failNull(unsupported(u"named function argument"_s, peek().pos));
                            ExprPtr arg = parseExpr();
                            if (!arg)
                                return nullptr;
                            node->args.push_back(std::move(arg));
                            if (!acceptSymbol(","))
                                break;
                        }
                    }
                    const Token &modifier = peek();
                    if (modifier.isKeyword("IGNORE") || modifier.isKeyword("RESPECT"))
                        return failNull(unsupported(u"%1 NULLS"_s.arg(modifier.text), modifier.pos));
                    if (modifier.isKeyword("ORDER"))
                        return failNull(unsupported(u"ORDER BY inside an aggregate function"_s, modifier.pos));
                    if (modifier.isKeyword("LIMIT"))
                        return failNull(unsupported(u"LIMIT inside an aggregate function"_s, modifier.pos));
                    if (modifier.isKeyword("HAVING"))
                        return failNull(unsupported(u"HAVING MIN/MAX inside an aggregate function"_s, modifier.pos));
                    if (!expectSymbol(")"))
                        return nullptr;
                }
                if (peek().isKeyword("OVER"))
                    return failNull(unsupported(u"window function (OVER clause)"_s, peek().pos));
                node = finish(std::move(node));
                if (!node)
                    return nullptr;
                return finishPostfix(std::move(node));
            }

            Q_NEVER_INLINE ExprPtr parseCast()
            {
                DepthGuard guard(*this);
                const Token &castToken = advance();
                if (tooDeep(castToken.pos))
                    return nullptr;
                if (!expectSymbol("("))
                    return nullptr;
                ExprPtr operand = parseExpr();
                if (!operand || !expectKeyword("AS"))
                    return nullptr;
                const Token &type = peek();
                if (type.isKeyword("ARRAY") || type.isKeyword("STRUCT") || type.isKeyword("RANGE"))
                    return failNull(unsupported(u"CAST to %1"_s.arg(type.text), type.pos));
                if (type.type != TokenType::Identifier)
                    return failNull(expected(u"type name"_s, type));
                advance();
                if (peek().isSymbol("(") || peek().isSymbol("<"))
                    return failNull(unsupported(u"parameterized type %1(...)"_s.arg(type.text.toUpper()), peek().pos));
                if (peek().isIdentifier("FORMAT"))
                    return failNull(unsupported(u"CAST ... FORMAT"_s, peek().pos));
                if (!expectSymbol(")"))
                    return nullptr;
                ExprPtr node = makeNode(ExprKind::Cast, castToken.pos);
                node->name = type.text.toUpper();
                node->args.push_back(std::move(operand));
                node = finish(std::move(node));
                if (!node)
                    return nullptr;
                return finishPostfix(std::move(node));
            }

            Q_NEVER_INLINE ExprPtr parseInterval()
            {
                DepthGuard guard(*this);
                const Token &intervalToken = advance();
                if (tooDeep(intervalToken.pos))
                    return nullptr;
                if (peek().type == TokenType::String)
                    return failNull(unsupported(u"INTERVAL literal from a string"_s, intervalToken.pos));
                ExprPtr count = parseAdditive();
                if (!count)
                    return nullptr;
                const Token &unit = peek();
                if (unit.type != TokenType::Identifier)
                    return failNull(expected(u"date part"_s, unit));
                advance();
                if (peek().isKeyword("TO"))
                    return failNull(unsupported(u"INTERVAL ... TO ..."_s, peek().pos));
                ExprPtr node = makeNode(ExprKind::Interval, intervalToken.pos);
                node->name = unit.text.toUpper();
                node->args.push_back(std::move(count));
                return finish(std::move(node));
            }

            const std::vector<Token> &m_tokens;
            size_t m_index = 0;
            int m_depth = 0;
            int m_positionalCount = 0;
            std::optional<ApiError> m_error;
        };
    }

    Result<SelectStatement> parseStatement(const std::vector<Token> &tokens)
    {
        if (tokens.empty())
            return syntaxError(u"Unexpected end of script"_s, SourcePos {});
        Parser parser(tokens);
        return parser.run();
    }
}
