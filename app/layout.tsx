import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Kubernetes, hands on", template: "%s · Kubernetes, hands on" },
  description: "Learn Kubernetes by doing: every lesson comes with your own live cluster and a real kubectl.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
