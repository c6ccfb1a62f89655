#pragma once

#include <QPalette>

namespace Aq::Ui
{
    // Qt 6.4 has no QStyleHints::colorScheme (6.5+): infer dark mode from the window colour.
    bool isDarkPalette(const QPalette &palette);
}
