#include "ui/dashboard/statcard.h"

#include <QLabel>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        void setTextIfChanged(QLabel *label, const QString &text)
        {
            if (label->text() != text)
                label->setText(text);
        }
    }

    StatCard::StatCard(const QString &caption, const QColor &accent, QWidget *parent)
        : QFrame(parent)
        , m_accent {accent}
        , m_caption {new QLabel(caption.toUpper(), this)}
        , m_value {new QLabel(this)}
        , m_detail {new QLabel(this)}
    {
        setObjectName(u"statCard"_s);
        m_caption->setObjectName(u"statCaption"_s);
        m_value->setObjectName(u"statValue"_s);
        m_detail->setObjectName(u"statDetail"_s);
        for (QLabel *label : {m_caption, m_value, m_detail})
            label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        setMinimumWidth(120);

        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(12, 8, 12, 10);
        layout->setSpacing(2);
        layout->addWidget(m_caption);
        layout->addWidget(m_value);
        layout->addWidget(m_detail);
        applyPalette(palette());
    }

    QString StatCard::value() const
    {
        return m_value->text();
    }

    QString StatCard::detail() const
    {
        return m_detail->text();
    }

    void StatCard::setValue(const QString &value)
    {
        setTextIfChanged(m_value, value);
    }

    void StatCard::setDetail(const QString &detail)
    {
        setTextIfChanged(m_detail, detail);
    }

    void StatCard::applyPalette(const QPalette &palette)
    {
        // Explicit colours rather than palette() in the style sheet: a style sheet resolves palette() once, and
        // this runs again when the system switches between light and dark.
        const QColor text = palette.color(QPalette::Text);
        QColor muted = text;
        muted.setAlphaF(0.65f);
        const QString mutedName = muted.name(QColor::HexArgb);
        ensurePolished();       // see DashboardPage::applyPalette()
        setStyleSheet(u"QFrame#statCard { background-color: "_s + palette.color(QPalette::Base).name()
                      + u"; border: 1px solid "_s + palette.color(QPalette::Mid).name()
                      + u"; border-top: 3px solid "_s + m_accent.name() + u"; border-radius: 6px; }"_s
                      + u" QLabel#statCaption { color: "_s + mutedName + u"; font-size: 8pt; font-weight: 600; }"_s
                      + u" QLabel#statValue { color: "_s + text.name() + u"; font-size: 17pt; font-weight: 600; }"_s
                      + u" QLabel#statDetail { color: "_s + mutedName + u"; font-size: 9pt; }"_s);
    }
}
