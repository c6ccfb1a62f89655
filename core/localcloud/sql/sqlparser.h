#pragma once

#include <vector>

#include "core/common/result.h"
#include "core/localcloud/sql/sqlast.h"
#include "core/localcloud/sql/sqllexer.h"

namespace Aq::LocalCloud::Sql
{
    // Parses one SELECT statement (an optional trailing ';' allowed). Syntax errors come back in BigQuery's
    // shape ("Syntax error: Expected end of input but got keyword FROM at [1:15]"); constructs outside the
    // subset that the parser can recognise are refused by name (unsupported()). Recursion is bounded by
    // MAX_EXPRESSION_DEPTH, so adversarial nesting fails cleanly.
    Result<SelectStatement> parseStatement(const std::vector<Token> &tokens);
}
