"""What Aurora Casa & Café sells: household goods, and trade packs for cafés and hotels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    price: str  # EUR
    b2b: bool = False  # sold in trade quantities


CATALOGUE = (
    Product("COF-ESP-250", "Aurora Espresso blend, beans 250 g", "Coffee", "7.90"),
    Product("COF-ESP-1K", "Aurora Espresso blend, beans 1 kg", "Coffee", "24.50", b2b=True),
    Product("COF-ETH-250", "Ethiopia Yirgacheffe single origin 250 g", "Coffee", "11.40"),
    Product("COF-BRA-250", "Brazil Cerrado single origin 250 g", "Coffee", "9.20"),
    Product("COF-DEC-250", "Decaf Swiss water 250 g", "Coffee", "8.60"),
    Product("COF-HOR-6K", "Horeca blend, beans 6 kg", "Coffee", "132.00", b2b=True),
    Product("COF-CAP-50", "Compostable capsules, box of 50", "Coffee", "16.50"),
    Product("TEA-GRN-100", "Sencha green tea 100 g", "Tea", "8.90"),
    Product("TEA-EAR-100", "Earl Grey loose leaf 100 g", "Tea", "7.50"),
    Product("TEA-HER-20", "Herbal infusion, 20 pyramids", "Tea", "5.90"),
    Product("TEA-HOR-500", "Breakfast tea catering pack 500 bags", "Tea", "39.00", b2b=True),
    Product("MAC-ESP-PRO", "Espresso machine Aurora Pro", "Machines", "649.00"),
    Product("MAC-ESP-HOME", "Espresso machine Aurora Home", "Machines", "289.00"),
    Product("MAC-GRI-50", "Conical burr grinder", "Machines", "159.00"),
    Product("MAC-FRE-2G", "Two-group commercial espresso machine", "Machines", "4890.00", b2b=True),
    Product("MAC-SVC-YR", "Machine service contract, one year", "Services", "390.00", b2b=True),
    Product("CUP-ESP-6", "Porcelain espresso cups, set of 6", "Tableware", "29.00"),
    Product("CUP-CAP-6", "Cappuccino cups, set of 6", "Tableware", "36.00"),
    Product("CUP-HOR-48", "Espresso cups, trade box of 48", "Tableware", "154.00", b2b=True),
    Product("MUG-ENA-1", "Enamel mug", "Tableware", "12.50"),
    Product("PLA-DIN-6", "Stoneware dinner plates, set of 6", "Tableware", "64.00"),
    Product("GLS-WAT-6", "Water glasses, set of 6", "Tableware", "24.00"),
    Product("KIT-MOK-6", "Stovetop moka pot, 6 cups", "Kitchen", "34.90"),
    Product("KIT-FRP-1", "French press 1 l", "Kitchen", "29.90"),
    Product("KIT-KET-GN", "Gooseneck kettle", "Kitchen", "54.00"),
    Product("KIT-SCL-1", "Coffee scale with timer", "Kitchen", "39.00"),
    Product("KIT-MLK-1", "Milk jug 600 ml", "Kitchen", "18.50"),
    Product("TXT-APR-1", "Linen barista apron", "Textiles", "32.00"),
    Product("TXT-TWL-4", "Cotton tea towels, set of 4", "Textiles", "19.90"),
    Product("GFT-BOX-S", "Gift box: coffee tasting trio", "Gifts", "34.00"),
    Product("GFT-BOX-L", "Gift box: the barista at home", "Gifts", "119.00"),
    Product("GFT-CRD-50", "Gift card 50 EUR", "Gifts", "50.00"),
    Product("SYR-VAN-1", "Vanilla syrup 1 l", "Syrups", "11.90", b2b=True),
    Product("SYR-CAR-1", "Caramel syrup 1 l", "Syrups", "11.90", b2b=True),
    Product("PAP-CUP-1K", "Take-away cups 8 oz, 1,000", "Supplies", "89.00", b2b=True),
    Product("PAP-NAP-2K", "Recycled napkins, 2,000", "Supplies", "34.00", b2b=True),
)
