//! Les captures PNG (un onglet, un élément) et la composition d'une image
//! faite de plusieurs captures et de terminaux, pour les illustrations.

use fantoccini::Locator;
use serde_json::{Value as Json, json};

use super::launch::WINDOW;
use super::{Browser, Tab, command};
use crate::Result;

impl Browser {
    /// Une capture PNG de l'onglet.
    pub async fn screenshot(&self, tab: &Tab) -> Result<Vec<u8>> {
        let _w = self.focus(tab).await?;
        command(
            format!("capturer l'onglet {}", tab.name),
            self.client.screenshot(),
        )
        .await
    }

    /// Une capture PNG de l'élément `css` de l'onglet.
    pub async fn screenshot_element(&self, tab: &Tab, css: &str) -> Result<Vec<u8>> {
        let _w = self.focus(tab).await?;
        let what = format!("capturer {css} (onglet {})", tab.name);
        let element = command(&what, self.client.find(Locator::Css(css))).await?;
        command(&what, element.screenshot()).await
    }

    /// Compose une image PNG : les captures d'onglets côte à côte, chacune
    /// sous sa légende, puis les terminaux en dessous, sur toute la largeur.
    /// C'est le navigateur lui-même qui fait la mise en page.
    pub async fn compose(&self, panels: &[Panel]) -> Result<Vec<u8>> {
        let tab = self.open("about:blank", "composition").await?;
        let panels: Vec<Json> = panels
            .iter()
            .map(|panel| match panel {
                Panel::Tab { caption, png } => json!({ "caption": caption, "png": png }),
                Panel::Terminal { caption, lines } => {
                    json!({ "caption": caption, "lines": lines })
                }
            })
            .collect();
        let script = r#"
            const panels = arguments[0];
            document.body.style.margin = '0';
            const box = document.createElement('div');
            box.id = 'composition';
            box.style.cssText = 'display:flex;flex-wrap:wrap;gap:12px;padding:12px;'
                + 'background:#d9dde3;font:14px sans-serif;align-items:flex-start;'
                + 'box-sizing:border-box;width:max-content';
            const loads = [];
            const terminals = [];
            for (const panel of panels) {
                const figure = document.createElement('figure');
                figure.style.cssText = 'margin:0;display:flex;flex-direction:column;gap:6px';
                const caption = document.createElement('figcaption');
                caption.textContent = panel.caption;
                caption.style.cssText = 'font-weight:bold;color:#333';
                figure.append(caption);
                if (panel.png) {
                    const img = document.createElement('img');
                    img.style.cssText = 'display:block;border:1px solid #888;background:#fff';
                    const blob = new Blob([new Uint8Array(panel.png)], { type: 'image/png' });
                    loads.push(new Promise(ok => { img.onload = ok; img.onerror = ok; }));
                    img.src = URL.createObjectURL(blob);
                    figure.append(img);
                } else {
                    const pre = document.createElement('pre');
                    pre.textContent = panel.lines.join('\n');
                    pre.style.cssText = 'margin:0;padding:8px 10px;background:#1e1e1e;color:#e6e6e6;'
                        + 'font:12px/1.4 monospace;white-space:pre-wrap;border-radius:4px';
                    figure.append(pre);
                    terminals.push(figure);
                }
                box.append(figure);
            }
            document.body.append(box);
            return Promise.all(loads).then(() => {
                // La largeur : celle de la rangée d'onglets ; les terminaux
                // passent dessous et la prennent toute.
                let width = 24 - 12;
                for (const figure of box.children) {
                    if (!terminals.includes(figure)) {
                        width += figure.getBoundingClientRect().width + 12;
                    }
                }
                if (width < 400) { width = 640; }
                box.style.width = Math.ceil(width) + 'px';
                for (const figure of terminals) { figure.style.flexBasis = '100%'; }
                const r = box.getBoundingClientRect();
                return [Math.ceil(r.width), Math.ceil(r.height)];
            });
        "#;
        let size = self
            .eval_with(&tab, script, vec![Json::Array(panels)])
            .await?;
        let width = size[0].as_u64().unwrap_or(u64::from(WINDOW.0));
        let height = size[1].as_u64().unwrap_or(u64::from(WINDOW.1));
        let width = u32::try_from(width).unwrap_or(WINDOW.0) + 40;
        let height = u32::try_from(height).unwrap_or(WINDOW.1) + 40;
        self.resize(&tab, width, height).await?;
        let png = self.screenshot_element(&tab, "#composition").await?;
        self.close(&tab).await?;
        Ok(png)
    }
}

/// Un panneau d'une image composée par [`Browser::compose`].
#[derive(Debug, Clone)]
pub enum Panel {
    /// La capture d'un onglet, sous sa légende.
    Tab {
        /// La légende (« Onglet 1 »…).
        caption: String,
        /// L'image PNG.
        png: Vec<u8>,
    },
    /// Les lignes d'un terminal, sous leur légende.
    Terminal {
        /// La légende (« Terminal : cargo run -p … »).
        caption: String,
        /// Les lignes affichées.
        lines: Vec<String>,
    },
}
