#include "ui/theme.h"

#include <QColor>

namespace Aq::Ui
{
    bool isDarkPalette(const QPalette &palette)
    {
        const QColor window = palette.color(QPalette::Window);
        const QColor text = palette.color(QPalette::WindowText);
        return window.lightnessF() < text.lightnessF();
    }
}
